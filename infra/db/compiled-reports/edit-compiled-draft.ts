import { editDraft, ReportAlreadyIssuedError, type ReportEdits } from '../../../domain/compilation/lifecycle';
import { appendAudit } from '../audit-repository';
import type { DbClient, Instant } from '../shared';
import { InvalidStateError, NotFoundError, inTransaction, nonEmpty, toDate } from '../shared';
import { stateOf, toCompiledReport, type CompiledReportRecord } from './records';

/** The coordinator edits a draft's introduction and/or conclusions (domain/compilation editDraft's rules). */
export async function editCompiledDraft(db: DbClient, input: { id: string; edits: ReportEdits; actor: string; at?: Instant }): Promise<CompiledReportRecord> {
  const actor = nonEmpty(input.actor, 'actor');
  const at = input.at === undefined ? new Date() : toDate(input.at, 'at');
  return inTransaction(db, async (tx) => {
    const row = await tx.compiledReport.findUnique({ where: { id: input.id } });
    if (!row) throw new NotFoundError(`compiled report ${input.id} does not exist`);
    let next;
    try {
      next = editDraft(stateOf(row), input.edits);
    } catch (err) {
      if (err instanceof ReportAlreadyIssuedError) throw new InvalidStateError(err.message);
      throw err;
    }
    const changed = (['introduction', 'conclusions'] as const).filter((k) => next[k] !== row[k]);
    if (changed.length === 0) return toCompiledReport(row);
    const updated = await tx.compiledReport.update({ where: { id: row.id }, data: { introduction: next.introduction, conclusions: next.conclusions, updatedAt: at } });
    await appendAudit(tx, { at, actor, action: 'compiled-report.edited', roundId: row.roundId, details: { id: row.id, changed } });
    return toCompiledReport(updated);
  });
}
