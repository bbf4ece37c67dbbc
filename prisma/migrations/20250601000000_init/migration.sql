-- CreateTable
CREATE TABLE "Program" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "titleVi" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "firstYear" INTEGER NOT NULL,
    "lastYear" INTEGER NOT NULL,
    "timeZone" TEXT NOT NULL,
    "coordinatorUnitId" TEXT NOT NULL,
    "appraiserUnitId" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "definitionSha256" TEXT NOT NULL,
    "loadedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Unit" (
    "programId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "nameVi" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "reports" BOOLEAN NOT NULL DEFAULT true,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("programId", "id"),
    CONSTRAINT "Unit_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Contact" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "programId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT NOT NULL,
    CONSTRAINT "Contact_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit" ("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FocalTask" (
    "programId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "titleVi" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "lead" TEXT NOT NULL,
    "coordinating" TEXT NOT NULL,
    "othersConcerned" BOOLEAN NOT NULL,
    "timing" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("programId", "number"),
    CONSTRAINT "FocalTask_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FocalTaskUnit" (
    "programId" TEXT NOT NULL,
    "taskNumber" INTEGER NOT NULL,
    "unitId" TEXT NOT NULL,
    "role" TEXT NOT NULL,

    PRIMARY KEY ("programId", "taskNumber", "unitId", "role"),
    CONSTRAINT "FocalTaskUnit_programId_taskNumber_fkey" FOREIGN KEY ("programId", "taskNumber") REFERENCES "FocalTask" ("programId", "number") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FocalTaskUnit_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit" ("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Cycle" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "programId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Cycle_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Round" (
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
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Round_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Obligation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "roundId" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "originalDueAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "submittedAt" DATETIME,
    "lateByMs" BIGINT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Obligation_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "Round" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Obligation_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit" ("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Submission" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "obligationId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "submittedBy" TEXT NOT NULL,
    "submittedAt" DATETIME NOT NULL,
    "fileRef" TEXT,
    "contentSha256" TEXT,
    "note" TEXT,
    "idempotencyKey" TEXT,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Submission_obligationId_fkey" FOREIGN KEY ("obligationId") REFERENCES "Obligation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BudgetEstimate" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "cycleId" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "amountVnd" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "approvedAmountVnd" BIGINT,
    "submittedBy" TEXT NOT NULL,
    "submittedAt" DATETIME NOT NULL,
    "fileRef" TEXT,
    "note" TEXT,
    "idempotencyKey" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "BudgetEstimate_cycleId_fkey" FOREIGN KEY ("cycleId") REFERENCES "Cycle" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "BudgetEstimate_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit" ("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AppraisalDecision" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "estimateId" INTEGER NOT NULL,
    "decision" TEXT NOT NULL,
    "amountVnd" BIGINT,
    "reason" TEXT,
    "decidedBy" TEXT NOT NULL,
    "decidedAt" DATETIME NOT NULL,
    CONSTRAINT "AppraisalDecision_estimateId_fkey" FOREIGN KEY ("estimateId") REFERENCES "BudgetEstimate" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "idempotencyKey" TEXT NOT NULL,
    "roundId" TEXT,
    "unitId" TEXT,
    "kind" TEXT NOT NULL,
    "step" TEXT,
    "recipients" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "bodyText" TEXT NOT NULL,
    "bodyHtml" TEXT,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "messageId" TEXT,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "roundId" TEXT,
    "unitId" TEXT,
    "details" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "Unit_programId_active_idx" ON "Unit"("programId", "active");

-- CreateIndex
CREATE UNIQUE INDEX "Contact_programId_unitId_role_key" ON "Contact"("programId", "unitId", "role");

-- CreateIndex
CREATE INDEX "FocalTaskUnit_programId_unitId_idx" ON "FocalTaskUnit"("programId", "unitId");

-- CreateIndex
CREATE UNIQUE INDEX "Cycle_programId_year_key" ON "Cycle"("programId", "year");

-- CreateIndex
CREATE INDEX "Round_programId_year_kind_idx" ON "Round"("programId", "year", "kind");

-- CreateIndex
CREATE INDEX "Round_status_deadline_idx" ON "Round"("status", "deadline");

-- CreateIndex
CREATE INDEX "Obligation_programId_unitId_idx" ON "Obligation"("programId", "unitId");

-- CreateIndex
CREATE INDEX "Obligation_status_dueAt_idx" ON "Obligation"("status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "Obligation_roundId_unitId_key" ON "Obligation"("roundId", "unitId");

-- CreateIndex
CREATE UNIQUE INDEX "Submission_idempotencyKey_key" ON "Submission"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Submission_obligationId_version_key" ON "Submission"("obligationId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "BudgetEstimate_idempotencyKey_key" ON "BudgetEstimate"("idempotencyKey");

-- CreateIndex
CREATE INDEX "BudgetEstimate_cycleId_status_idx" ON "BudgetEstimate"("cycleId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "BudgetEstimate_cycleId_unitId_version_key" ON "BudgetEstimate"("cycleId", "unitId", "version");

-- CreateIndex
CREATE INDEX "AppraisalDecision_estimateId_idx" ON "AppraisalDecision"("estimateId");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_idempotencyKey_key" ON "Notification"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Notification_status_id_idx" ON "Notification"("status", "id");

-- CreateIndex
CREATE INDEX "Notification_roundId_unitId_idx" ON "Notification"("roundId", "unitId");

-- CreateIndex
CREATE INDEX "AuditLog_roundId_id_idx" ON "AuditLog"("roundId", "id");

-- CreateIndex
CREATE INDEX "AuditLog_unitId_id_idx" ON "AuditLog"("unitId", "id");

-- CreateIndex
CREATE INDEX "AuditLog_action_id_idx" ON "AuditLog"("action", "id");


-- AuditLog is append-only (hand-written: Prisma does not model triggers).
CREATE TRIGGER "AuditLog_no_update" BEFORE UPDATE ON "AuditLog"
BEGIN
    SELECT RAISE(ABORT, 'AuditLog is append-only: UPDATE rejected');
END;

CREATE TRIGGER "AuditLog_no_delete" BEFORE DELETE ON "AuditLog"
BEGIN
    SELECT RAISE(ABORT, 'AuditLog is append-only: DELETE rejected');
END;
