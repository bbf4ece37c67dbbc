-- CreateTable
CREATE TABLE "Program" (
    "id" TEXT NOT NULL,
    "titleVi" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "firstYear" INTEGER NOT NULL,
    "lastYear" INTEGER NOT NULL,
    "timeZone" TEXT NOT NULL,
    "coordinatorUnitId" TEXT NOT NULL,
    "appraiserUnitId" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "definitionSha256" TEXT NOT NULL,
    "loadedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Program_pkey" PRIMARY KEY ("id")
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Unit_pkey" PRIMARY KEY ("programId","id")
);

-- CreateTable
CREATE TABLE "Contact" (
    "id" SERIAL NOT NULL,
    "programId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT NOT NULL,

    CONSTRAINT "Contact_pkey" PRIMARY KEY ("id")
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FocalTask_pkey" PRIMARY KEY ("programId","number")
);

-- CreateTable
CREATE TABLE "FocalTaskUnit" (
    "programId" TEXT NOT NULL,
    "taskNumber" INTEGER NOT NULL,
    "unitId" TEXT NOT NULL,
    "role" TEXT NOT NULL,

    CONSTRAINT "FocalTaskUnit_pkey" PRIMARY KEY ("programId","taskNumber","unitId","role")
);

-- CreateTable
CREATE TABLE "Cycle" (
    "id" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cycle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Round" (
    "id" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "titleVi" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "subject" TEXT,
    "deadline" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),
    "result" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Round_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Obligation" (
    "id" SERIAL NOT NULL,
    "roundId" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "originalDueAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3),
    "lateByMs" BIGINT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Obligation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Submission" (
    "id" SERIAL NOT NULL,
    "obligationId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "submittedBy" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    "fileRef" TEXT,
    "contentSha256" TEXT,
    "note" TEXT,
    "idempotencyKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Submission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BudgetEstimate" (
    "id" SERIAL NOT NULL,
    "cycleId" TEXT NOT NULL,
    "programId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "amountVnd" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "approvedAmountVnd" BIGINT,
    "submittedBy" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    "fileRef" TEXT,
    "note" TEXT,
    "idempotencyKey" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BudgetEstimate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppraisalDecision" (
    "id" SERIAL NOT NULL,
    "estimateId" INTEGER NOT NULL,
    "decision" TEXT NOT NULL,
    "amountVnd" BIGINT,
    "reason" TEXT,
    "decidedBy" TEXT NOT NULL,
    "decidedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppraisalDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "roundId" TEXT,
    "unitId" TEXT,
    "details" TEXT NOT NULL,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Unit" ADD CONSTRAINT "Unit_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Contact" ADD CONSTRAINT "Contact_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit"("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FocalTask" ADD CONSTRAINT "FocalTask_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FocalTaskUnit" ADD CONSTRAINT "FocalTaskUnit_programId_taskNumber_fkey" FOREIGN KEY ("programId", "taskNumber") REFERENCES "FocalTask"("programId", "number") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FocalTaskUnit" ADD CONSTRAINT "FocalTaskUnit_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit"("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Cycle" ADD CONSTRAINT "Cycle_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Round" ADD CONSTRAINT "Round_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Obligation" ADD CONSTRAINT "Obligation_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "Round"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Obligation" ADD CONSTRAINT "Obligation_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit"("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_obligationId_fkey" FOREIGN KEY ("obligationId") REFERENCES "Obligation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BudgetEstimate" ADD CONSTRAINT "BudgetEstimate_cycleId_fkey" FOREIGN KEY ("cycleId") REFERENCES "Cycle"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BudgetEstimate" ADD CONSTRAINT "BudgetEstimate_programId_unitId_fkey" FOREIGN KEY ("programId", "unitId") REFERENCES "Unit"("programId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppraisalDecision" ADD CONSTRAINT "AppraisalDecision_estimateId_fkey" FOREIGN KEY ("estimateId") REFERENCES "BudgetEstimate"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- AuditLog is append-only (hand-written: Prisma does not model triggers).
CREATE FUNCTION "AuditLog_reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'AuditLog is append-only: % rejected', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "AuditLog_no_update_or_delete" BEFORE UPDATE OR DELETE ON "AuditLog"
    FOR EACH ROW EXECUTE FUNCTION "AuditLog_reject_change"();

CREATE TRIGGER "AuditLog_no_truncate" BEFORE TRUNCATE ON "AuditLog"
    FOR EACH STATEMENT EXECUTE FUNCTION "AuditLog_reject_change"();
