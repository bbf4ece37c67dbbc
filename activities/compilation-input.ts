import { complianceOf, type RoundDataInput } from '../domain/compilation/input';
import { formRoundKindSchema } from '../domain/program/forms';
import { listRoundFormData } from '../infra/db/form-data';
import { getRound, listObligations, listRounds } from '../infra/db/round-repository';
import type { DbClient } from '../infra/db/shared';

/**
 * What a compilation reads from the database: a round's obligations (first submission, deadline in
 * force) and the form data each unit stands by (infra/db/form-data listRoundFormData). Rounds of kinds
 * that take no form (budget appraisal, plan approval, compilation) are not compiled.
 */

/** "qd-925-thai-binh:2015-Q1" → "2015-Q1"; a round id without its program prefix is its own key. */
export function roundKeyOf(programId: string, roundId: string): string {
  return roundId.startsWith(`${programId}:`) ? roundId.slice(programId.length + 1) : roundId;
}

export async function roundDataFromDatabase(db: DbClient, roundId: string): Promise<RoundDataInput> {
  const round = await getRound(db, roundId);
  if (!round) throw new Error(`round ${roundId} is not in the database; nothing to compile`);
  const kind = formRoundKindSchema.safeParse(round.kind);
  if (!kind.success) throw new Error(`round ${roundId} is a ${round.kind} round, which takes no report form; only ${formRoundKindSchema.options.join(', ')} rounds are compiled`);
  const key = roundKeyOf(round.programId, round.id);
  const quarter = /-Q([1-4])$/.exec(key);
  const obligations = await listObligations(db, roundId);
  const forms = await listRoundFormData(db, roundId);
  return {
    roundId: round.id,
    key,
    kind: kind.data,
    year: round.year,
    ...(kind.data === 'quarterly-report' && quarter ? { quarter: Number(quarter[1]) } : {}),
    title: round.title,
    deadline: round.deadline,
    obligations: obligations
      .filter((o) => o.status !== 'not-tracked')
      .map((o) => ({ unitId: o.unitId, dueAt: o.dueAt, submittedAt: o.submittedAt, status: complianceOf(o) })),
    formData: Object.fromEntries(forms.map((f) => [f.unitId, f.formData])),
  };
}

/** Every compilable round of a program whose year is in [fromYear, toYear], in deadline order. */
export async function roundsOfYears(db: DbClient, programId: string, fromYear: number, toYear: number): Promise<RoundDataInput[]> {
  const out: RoundDataInput[] = [];
  for (let year = fromYear; year <= toYear; year++)
    for (const r of await listRounds(db, { programId, year }))
      if (formRoundKindSchema.safeParse(r.kind).success && r.status !== 'cancelled') out.push(await roundDataFromDatabase(db, r.id));
  return out;
}
