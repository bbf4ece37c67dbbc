import { appendAudit } from '../audit-repository';
import type { DbClient } from '../shared';
import { InvalidStateError, NotFoundError, inTransaction, nonEmpty } from '../shared';
import { toCompiledReport, type CompiledReportRecord } from './records';

/**
 * Records where the documents rendered from a revision's figures are kept (file references with their
 * SHA-256). A reference for a revision that is no longer the current one is refused: the figures moved
 * on while the documents were being rendered, so render again.
 */
export async function attachReportDocuments(
  db: DbClient,
  input: { id: string; revision: number; docx?: { ref: string; sha256: string }; xlsx?: { ref: string; sha256: string }; actor?: string },
): Promise<CompiledReportRecord> {
  for (const [k, d] of Object.entries({ docx: input.docx, xlsx: input.xlsx })) {
    if (!d) continue;
    nonEmpty(d.ref, `${k}.ref`);
    if (!/^[0-9a-f]{64}$/.test(d.sha256)) throw new InvalidStateError(`${k}.sha256: not a SHA-256 in hex`);
  }
  return inTransaction(db, async (tx) => {
    const row = await tx.compiledReport.findUnique({ where: { id: input.id } });
    if (!row) throw new NotFoundError(`compiled report ${input.id} does not exist`);
    if (row.revision !== input.revision)
      throw new InvalidStateError(`compiled report ${input.id} is at revision ${row.revision}, the documents are of revision ${input.revision}; render them again`);
    const updated = await tx.compiledReport.update({
      where: { id: row.id },
      data: {
        ...(input.docx ? { docxRef: input.docx.ref, docxSha256: input.docx.sha256 } : {}),
        ...(input.xlsx ? { xlsxRef: input.xlsx.ref, xlsxSha256: input.xlsx.sha256 } : {}),
        updatedAt: new Date(),
      },
    });
    await appendAudit(tx, {
      actor: input.actor ?? 'system',
      action: 'compiled-report.documents',
      roundId: row.roundId,
      details: { id: row.id, revision: row.revision, docx: input.docx ?? null, xlsx: input.xlsx ?? null },
    });
    return toCompiledReport(updated);
  });
}
