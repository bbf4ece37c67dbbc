-- CreateTable
CREATE TABLE "ProgramVersion" (
    "programId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "unitCount" INTEGER NOT NULL,
    "loadedAt" DATETIME NOT NULL,

    PRIMARY KEY ("programId", "sha256"),
    CONSTRAINT "ProgramVersion_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Obligation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "roundId" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "originalDueAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "submittedAt" DATETIME,
    "lateByMs" BIGINT,
    "shard" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Obligation_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "Round" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Obligation_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit" ("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Obligation" ("createdAt", "dueAt", "id", "lateByMs", "originalDueAt", "programId", "roundId", "status", "submittedAt", "unitId", "updatedAt") SELECT "createdAt", "dueAt", "id", "lateByMs", "originalDueAt", "programId", "roundId", "status", "submittedAt", "unitId", "updatedAt" FROM "Obligation";
DROP TABLE "Obligation";
ALTER TABLE "new_Obligation" RENAME TO "Obligation";
CREATE INDEX "Obligation_roundId_shard_idx" ON "Obligation"("roundId", "shard");
CREATE INDEX "Obligation_roundId_status_idx" ON "Obligation"("roundId", "status");
CREATE INDEX "Obligation_programId_unitId_idx" ON "Obligation"("programId", "unitId");
CREATE INDEX "Obligation_status_dueAt_idx" ON "Obligation"("status", "dueAt");
CREATE UNIQUE INDEX "Obligation_roundId_unitId_key" ON "Obligation"("roundId", "unitId");
CREATE TABLE "new_Round" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "programId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "titleVi" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "subject" TEXT,
    "deadline" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "openedAt" DATETIME NOT NULL,
    "closedAt" DATETIME,
    "result" TEXT,
    "programVersion" TEXT,
    "unitCount" INTEGER NOT NULL DEFAULT 0,
    "shardCount" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Round_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Round" ("closedAt", "deadline", "id", "kind", "openedAt", "programId", "result", "status", "subject", "titleEn", "titleVi", "updatedAt", "year") SELECT "closedAt", "deadline", "id", "kind", "openedAt", "programId", "result", "status", "subject", "titleEn", "titleVi", "updatedAt", "year" FROM "Round";
DROP TABLE "Round";
ALTER TABLE "new_Round" RENAME TO "Round";
CREATE INDEX "Round_programId_year_kind_idx" ON "Round"("programId", "year", "kind");
CREATE INDEX "Round_status_deadline_idx" ON "Round"("status", "deadline");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

