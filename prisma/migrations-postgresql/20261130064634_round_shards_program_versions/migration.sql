-- AlterTable
ALTER TABLE "Obligation" ADD COLUMN     "shard" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Round" ADD COLUMN     "programVersion" TEXT,
ADD COLUMN     "shardCount" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "unitCount" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ProgramVersion" (
    "programId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "unitCount" INTEGER NOT NULL,
    "loadedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProgramVersion_pkey" PRIMARY KEY ("programId","sha256")
);

-- CreateIndex
CREATE INDEX "Obligation_roundId_shard_idx" ON "Obligation"("roundId", "shard");

-- CreateIndex
CREATE INDEX "Obligation_roundId_status_idx" ON "Obligation"("roundId", "status");

-- AddForeignKey
ALTER TABLE "ProgramVersion" ADD CONSTRAINT "ProgramVersion_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

