import type { DbClient } from '../shared';
import { toCompiledReport, type CompiledReportRecord } from './records';

export async function getCompiledReport(db: DbClient, id: string): Promise<CompiledReportRecord | null> {
  const row = await db.compiledReport.findUnique({ where: { id } });
  return row ? toCompiledReport(row) : null;
}

/** A program's compiled reports, oldest period first; filter by year covered, scope or status. */
export async function listCompiledReports(
  db: DbClient,
  filter: { programId: string; year?: number; scope?: CompiledReportRecord['scope']; status?: CompiledReportRecord['state']['status'] },
): Promise<CompiledReportRecord[]> {
  const rows = await db.compiledReport.findMany({
    where: {
      programId: filter.programId,
      ...(filter.year !== undefined ? { fromYear: { lte: filter.year }, toYear: { gte: filter.year } } : {}),
      ...(filter.scope ? { scope: filter.scope } : {}),
      ...(filter.status ? { status: filter.status } : {}),
    },
    orderBy: [{ fromYear: 'asc' }, { toYear: 'asc' }, { compiledAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toCompiledReport);
}
