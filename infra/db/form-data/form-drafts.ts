import { formDataSchema, type FormData } from '../../../domain/forms/form-data';
import type { DbClient, Instant } from '../shared';
import { NotFoundError, iso, nonEmpty, toDate, toJsonText } from '../shared';

/**
 * A unit's unfinished form for a round, one per obligation: saved as the agency types (the web page's
 * autosave), replaced by each save, removed when it submits (in the same transaction as the submission:
 * pass the transaction client). The caller validates with domain/forms `draftSchema` first. Drafts are
 * working copies, not decisions, so they are not written to the audit log; the submission is.
 */

export interface FormDraftRecord {
  roundId: string;
  unitId: string;
  formData: FormData;
  savedBy: string;
  savedAt: string;
}

async function obligationId(db: DbClient, roundId: string, unitId: string): Promise<number> {
  const o = await db.obligation.findUnique({ where: { roundId_unitId: { roundId, unitId } }, select: { id: true } });
  if (!o) throw new NotFoundError(`unit ${unitId} has no obligation in round ${roundId}; a draft belongs to an obligation`);
  return o.id;
}

export async function saveFormDraft(
  db: DbClient,
  input: { roundId: string; unitId: string; formData: FormData; savedBy: string; savedAt?: Instant },
): Promise<FormDraftRecord> {
  const savedBy = nonEmpty(input.savedBy, 'savedBy');
  const savedAt = input.savedAt === undefined ? new Date() : toDate(input.savedAt, 'savedAt');
  const formData = toJsonText(input.formData, 'formData');
  const id = await obligationId(db, input.roundId, input.unitId);
  const row = await db.formDraft.upsert({
    where: { obligationId: id },
    create: { obligationId: id, formData, savedBy, savedAt, createdAt: savedAt },
    update: { formData, savedBy, savedAt },
  });
  return { roundId: input.roundId, unitId: input.unitId, formData: formDataSchema.parse(JSON.parse(row.formData)), savedBy: row.savedBy, savedAt: iso(row.savedAt) };
}

export async function getFormDraft(db: DbClient, roundId: string, unitId: string): Promise<FormDraftRecord | null> {
  const o = await db.obligation.findUnique({ where: { roundId_unitId: { roundId, unitId } }, select: { formDraft: true } });
  if (!o?.formDraft) return null;
  const d = o.formDraft;
  return { roundId, unitId, formData: formDataSchema.parse(JSON.parse(d.formData)), savedBy: d.savedBy, savedAt: iso(d.savedAt) };
}

/** Removes the draft (after the unit submitted). True when there was one. */
export async function discardFormDraft(db: DbClient, roundId: string, unitId: string): Promise<boolean> {
  const id = await obligationId(db, roundId, unitId);
  const { count } = await db.formDraft.deleteMany({ where: { obligationId: id } });
  return count > 0;
}
