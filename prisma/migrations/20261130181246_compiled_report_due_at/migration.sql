-- AlterTable
ALTER TABLE "CompiledReport" ADD COLUMN "dueAt" DATETIME;

