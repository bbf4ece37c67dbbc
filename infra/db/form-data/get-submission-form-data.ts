import { formDataSchema, type FormData } from '../../../domain/forms/form-data';
import type { DbClient } from '../shared';

/**
 * The form data of one submission version of a unit in a round (default: the latest version), or null
 * when that version is a file only or does not exist. For showing a unit what it sent, and for history.
 */
export async function getSubmissionFormData(db: DbClient, roundId: string, unitId: string, version?: number): Promise<FormData | null> {
  const obligation = await db.obligation.findUnique({ where: { roundId_unitId: { roundId, unitId } }, select: { id: true } });
  if (!obligation) return null;
  const row = await db.submission.findFirst({
    where: { obligationId: obligation.id, ...(version !== undefined ? { version } : {}) },
    orderBy: { version: 'desc' },
    select: { formData: true },
  });
  return row?.formData ? formDataSchema.parse(JSON.parse(row.formData)) : null;
}
