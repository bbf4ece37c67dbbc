-- AlterTable
ALTER TABLE "Submission" ADD COLUMN     "formData" TEXT;

-- CreateTable
CREATE TABLE "FormDraft" (
    "id" SERIAL NOT NULL,
    "obligationId" INTEGER NOT NULL,
    "formData" TEXT NOT NULL,
    "savedBy" TEXT NOT NULL,
    "savedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FormDraft_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CompiledReport" (
    "id" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "roundId" TEXT,
    "fromYear" INTEGER NOT NULL,
    "toYear" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "titleVi" TEXT NOT NULL,
    "introduction" TEXT NOT NULL,
    "conclusions" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "modelSha256" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "compiledAt" TIMESTAMP(3) NOT NULL,
    "number" INTEGER,
    "issuedAt" TIMESTAMP(3),
    "issuedBy" TEXT,
    "signer" TEXT,
    "docxRef" TEXT,
    "docxSha256" TEXT,
    "xlsxRef" TEXT,
    "xlsxSha256" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CompiledReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "FormDraft_obligationId_key" ON "FormDraft"("obligationId");

-- CreateIndex
CREATE INDEX "CompiledReport_programId_fromYear_scope_idx" ON "CompiledReport"("programId", "fromYear", "scope");

-- CreateIndex
CREATE INDEX "CompiledReport_roundId_idx" ON "CompiledReport"("roundId");

-- AddForeignKey
ALTER TABLE "FormDraft" ADD CONSTRAINT "FormDraft_obligationId_fkey" FOREIGN KEY ("obligationId") REFERENCES "Obligation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompiledReport" ADD CONSTRAINT "CompiledReport_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompiledReport" ADD CONSTRAINT "CompiledReport_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "Round"("id") ON DELETE CASCADE ON UPDATE CASCADE;

