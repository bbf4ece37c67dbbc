-- AlterTable
ALTER TABLE "CompiledReport" ADD COLUMN     "dueAt" TIMESTAMP(3);

