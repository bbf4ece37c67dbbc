import type { DbClient } from '../shared';
import { NotFoundError, toDate } from '../shared';

/**
 * Fixes when a compiled report is due, once: the first call stores `dueAt`, later calls (a workflow's
 * planning activity retried, a workflow started again by hand) leave it and return the stored instant.
 * So a report stays due when its obligation was started, whatever later program versions say.
 *
 * @returns the stored due instant (ISO, UTC)
 * @throws NotFoundError when there is no such report
 */
export async function fixCompiledReportDueAt(db: DbClient, input: { id: string; dueAt: string }): Promise<string> {
  const dueAt = toDate(input.dueAt, 'dueAt');
  // One conditional update: of two concurrent callers, the first stores its instant, the second reads it.
  await db.compiledReport.updateMany({ where: { id: input.id, dueAt: null }, data: { dueAt } });
  const row = await db.compiledReport.findUnique({ where: { id: input.id }, select: { dueAt: true } });
  if (!row) throw new NotFoundError(`compiled report ${input.id} does not exist`);
  return row.dueAt!.toISOString();
}
