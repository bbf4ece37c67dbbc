import { newDraft } from '../../../domain/compilation/lifecycle';
import type { CompiledReportModel } from '../../../domain/compilation/model';
import { appendAudit } from '../audit-repository';
import type { DbClient, Instant } from '../shared';
import { inTransaction, toDate } from '../shared';
import { compiledReportId, modelSha256, toCompiledReport, yearsOf, type CompiledReportRecord } from './records';

export interface SaveCompiledDraftResult {
  report: CompiledReportRecord;
  /**
   * created: first compilation; recompiled: the figures changed; unchanged: same figures, nothing
   * written; issued: the report was issued, so it keeps the figures it was issued with (nothing written).
   */
  outcome: 'created' | 'recompiled' | 'unchanged' | 'issued';
}

/**
 * Stores a compilation as the report's draft: creates it (with the default introduction and empty
 * conclusions), or replaces the figures of the existing draft and keeps the coordinator's texts, or does
 * nothing when the figures are the same (safe to retry). An issued report is never recompiled: it is
 * returned as it is with outcome "issued" (a report that arrives after issuing belongs to the next
 * period's report), so a compilation triggered by a late submission does not fail and retry forever.
 */
export async function saveCompiledDraft(
  db: DbClient,
  input: { model: CompiledReportModel; actor?: string; at?: Instant },
): Promise<SaveCompiledDraftResult> {
  const model = input.model;
  const id = compiledReportId(model.program.id, model.scope);
  const sha = modelSha256(model);
  const at = input.at === undefined ? new Date() : toDate(input.at, 'at');
  const actor = input.actor ?? 'system';
  const roundId = model.scope.kind === 'round' ? model.scope.roundId : null;
  return inTransaction(db, async (tx) => {
    const existing = await tx.compiledReport.findUnique({ where: { id } });
    if (existing?.status === 'issued') return { report: toCompiledReport(existing), outcome: 'issued' as const };
    if (existing && existing.modelSha256 === sha) return { report: toCompiledReport(existing), outcome: 'unchanged' as const };
    const data = { model: JSON.stringify(model), modelSha256: sha, compiledAt: toDate(model.compiledAt, 'model.compiledAt'), titleVi: model.title.vi, updatedAt: at };
    if (!existing) {
      const draft = newDraft(model);
      const row = await tx.compiledReport.create({
        data: {
          id,
          programId: model.program.id,
          scope: model.scope.kind,
          roundId,
          ...yearsOf(model.scope),
          status: 'draft',
          introduction: draft.introduction,
          conclusions: draft.conclusions,
          revision: 1,
          createdAt: at,
          ...data,
        },
      });
      await appendAudit(tx, { at, actor, action: 'compiled-report.created', roundId, details: { id, revision: 1, modelSha256: sha, totals: model.compliance.totals } });
      return { report: toCompiledReport(row), outcome: 'created' as const };
    }
    const revision = existing.revision + 1;
    // The documents rendered from the previous figures no longer match them.
    const row = await tx.compiledReport.update({
      where: { id },
      data: { ...data, revision, docxRef: null, docxSha256: null, xlsxRef: null, xlsxSha256: null },
    });
    await appendAudit(tx, {
      at,
      actor,
      action: 'compiled-report.recompiled',
      roundId,
      details: { id, revision, modelSha256: sha, previousSha256: existing.modelSha256, totals: model.compliance.totals },
    });
    return { report: toCompiledReport(row), outcome: 'recompiled' as const };
  });
}
