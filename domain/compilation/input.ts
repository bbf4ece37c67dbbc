import { z } from 'zod';
import { formDataSchema } from '../forms/form-data';
import { formRoundKindSchema } from '../program/forms';
import { localizedTextSchema } from '../program/localized-text';

/**
 * What a compilation is computed from: for each round, every unit's obligation (due, submitted at,
 * on time / late / missing) and the form data of the units' latest submission versions. Phase 2 builds
 * it from the database (`roundDataFromRecords` in activities/compilation.ts); tests and
 * scripts/compile-report.ts write it as JSON. Parsing it checks that statuses and instants agree.
 */

const isoInstant = z.iso.datetime({ offset: true });

/** How a unit stands in a round once the round is over. */
export const complianceStatusSchema = z.enum(['on-time', 'late', 'missing']);
export type ComplianceStatus = z.infer<typeof complianceStatusSchema>;

export const obligationEntrySchema = z
  .strictObject({
    unitId: z.string().min(1),
    /** The deadline in force for the unit (after any extension). */
    dueAt: isoInstant,
    /** The first submission (version 1), which decides on time or late; null when missing. */
    submittedAt: isoInstant.nullable(),
    status: complianceStatusSchema,
  })
  .superRefine((o, ctx) => {
    if (o.status === 'missing' && o.submittedAt !== null)
      ctx.addIssue({ code: 'custom', path: ['submittedAt'], message: `${o.unitId} is "missing" but has a submission time; use on-time or late` });
    if (o.status !== 'missing' && o.submittedAt === null)
      ctx.addIssue({ code: 'custom', path: ['submittedAt'], message: `${o.unitId} is "${o.status}" without a submission time; give submittedAt or use missing` });
    if (o.submittedAt !== null && o.status !== 'missing') {
      const late = Date.parse(o.submittedAt) >= Date.parse(o.dueAt);
      if (late !== (o.status === 'late'))
        ctx.addIssue({
          code: 'custom',
          path: ['status'],
          message: `${o.unitId} submitted at ${o.submittedAt}, ${late ? 'at or after' : 'before'} its deadline ${o.dueAt}, so it is ${late ? 'late' : 'on-time'}, not ${o.status}`,
        });
    }
  });
export type ObligationEntry = z.infer<typeof obligationEntrySchema>;

export const roundDataSchema = z.strictObject({
  roundId: z.string().min(1),
  /** The round's key within its program, e.g. "2015-Q1", "2015-adhoc-1". */
  key: z.string().min(1),
  kind: formRoundKindSchema,
  year: z.int(),
  /** For quarterly rounds: 1–4. */
  quarter: z.int().min(1).max(4).optional(),
  title: localizedTextSchema,
  deadline: isoInstant,
  obligations: z.array(obligationEntrySchema),
  /** Unit id → form data of its latest submission version. A unit that sent only a file has none. */
  formData: z.record(z.string(), formDataSchema).default({}),
});
export type RoundData = z.output<typeof roundDataSchema>;
export type RoundDataInput = z.input<typeof roundDataSchema>;

/**
 * A round's obligation status (domain/round ObligationStatus, as stored) as the compilation counts it
 * once the round is over: a first submission decides on time or late (an extension moved the unit's
 * due date, so "late" is against the extended date); anything without a submission is missing
 * (pending, overdue, extended and never sent). Not-tracked obligations (a round started after its
 * deadline: kybao has no record either way) are left out by the caller rather than called missing.
 */
export function complianceOf(obligation: { submittedAt: string | null; dueAt: string }): ComplianceStatus {
  if (obligation.submittedAt === null) return 'missing';
  return Date.parse(obligation.submittedAt) >= Date.parse(obligation.dueAt) ? 'late' : 'on-time';
}
