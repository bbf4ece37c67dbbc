import { formDataSchema, type FormData } from '../../../domain/forms/form-data';
import type { DbClient } from '../shared';
import { iso } from '../shared';

export interface UnitFormData {
  unitId: string;
  /** The version the form data comes from. */
  version: number;
  submittedAt: string;
  formData: FormData;
  /** The unit's latest version; greater than `version` when later versions were files only. */
  latestVersion: number;
}

/**
 * The form data each unit of a round stands by: that of its latest submission version that carried a
 * form. A later file-only version (a signed scan of the same report) does not erase the figures; a later
 * version with a form replaces them. Units without any form data are absent. Ordered by unit id.
 * What a compilation reads (activities/compilation.ts).
 */
export async function listRoundFormData(db: DbClient, roundId: string): Promise<UnitFormData[]> {
  const obligations = await db.obligation.findMany({
    where: { roundId },
    select: { unitId: true, submissions: { orderBy: { version: 'desc' }, select: { version: true, submittedAt: true, formData: true } } },
    orderBy: { unitId: 'asc' },
  });
  return obligations.flatMap((o) => {
    const withForm = o.submissions.find((s) => s.formData !== null);
    if (!withForm) return [];
    return [
      {
        unitId: o.unitId,
        version: withForm.version,
        submittedAt: iso(withForm.submittedAt),
        formData: formDataSchema.parse(JSON.parse(withForm.formData!)),
        latestVersion: o.submissions[0]!.version,
      },
    ];
  });
}
