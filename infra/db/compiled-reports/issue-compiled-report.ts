import { DateTime } from 'luxon';
import { issueDraft, ReportAlreadyIssuedError, type IssueRequest } from '../../../domain/compilation/lifecycle';
import { appendAudit } from '../audit-repository';
import type { DbClient } from '../shared';
import { InvalidStateError, NotFoundError, inTransaction, toDate } from '../shared';
import { stateOf, toCompiledReport, type CompiledReportRecord } from './records';

/**
 * Issues a draft with its number and date (domain/compilation issueDraft's rules). The number is the
 * issuer's register number for the year (Decree 30/2020/NĐ-CP on outgoing documents: numbers run from 01
 * on 1 January to 31 December each year), so a number already given to another report of the program
 * in the same year, in the program's time zone, is refused.
 */
export async function issueCompiledReport(db: DbClient, input: { id: string; request: IssueRequest }): Promise<CompiledReportRecord> {
  return inTransaction(db, async (tx) => {
    const row = await tx.compiledReport.findUnique({ where: { id: input.id } });
    if (!row) throw new NotFoundError(`compiled report ${input.id} does not exist`);
    let next;
    try {
      next = issueDraft(stateOf(row), input.request);
    } catch (err) {
      if (err instanceof ReportAlreadyIssuedError) throw new InvalidStateError(err.message);
      throw err;
    }
    if (next.status !== 'issued') throw new Error('issueDraft returned a draft');
    const program = await tx.program.findUniqueOrThrow({ where: { id: row.programId }, select: { timeZone: true } });
    const year = DateTime.fromISO(next.issuedAt, { zone: program.timeZone }).year;
    const start = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: program.timeZone });
    const clash = await tx.compiledReport.findFirst({
      where: {
        programId: row.programId,
        status: 'issued',
        number: next.number,
        issuedAt: { gte: start.toJSDate(), lt: start.plus({ years: 1 }).toJSDate() },
      },
      select: { id: true },
    });
    if (clash) throw new InvalidStateError(`number ${next.number} of ${year} was already given to ${clash.id}; take the next free number in the register`);
    const issuedAt = toDate(next.issuedAt, 'issuedAt');
    const updated = await tx.compiledReport.update({
      where: { id: row.id },
      data: { status: 'issued', number: next.number, issuedAt, issuedBy: next.issuedBy, signer: JSON.stringify(next.signer), updatedAt: new Date() },
    });
    await appendAudit(tx, {
      at: issuedAt,
      actor: next.issuedBy,
      action: 'compiled-report.issued',
      roundId: row.roundId,
      details: { id: row.id, number: next.number, signer: next.signer, revision: row.revision, modelSha256: row.modelSha256 },
    });
    return toCompiledReport(updated);
  });
}
