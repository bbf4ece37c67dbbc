-- AlterTable
ALTER TABLE "Notification" ADD COLUMN "nextAttemptAt" DATETIME;

-- CreateIndex
CREATE INDEX "Notification_status_nextAttemptAt_idx" ON "Notification"("status", "nextAttemptAt");

