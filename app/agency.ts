import { z } from 'zod';
import type { Db } from '../infra/db/client';
import { listDecisions, listEstimates } from '../infra/db/budget-repository';
import { getObligation, getRound } from '../infra/db/round-repository';
import { countWorkingDays, localDateOf } from '../domain/calendar';
import { lastDayToSubmit } from '../domain/round/lateness';
import type { Program } from '../domain/program/schema';
import { indicatorsFor, sectionsFor, unitOfMeasureOf } from '../domain/forms/applicability';
import { formRoundKindSchema } from '../domain/program/forms';
import { getFormDraft, getSubmissionFormData } from '../infra/db/form-data';
import { AppError } from './errors';
import { listExtensionRequests, ExtensionRequestView } from './extensions';
import { fieldsOfFormData } from './form-drafts';
import { findUpload } from './storage';

/**
 * What an agency sees from its link: the obligation (deadline in force, last day, working days left,
 * status), every version it submitted with its receipt, its extension requests and their outcome, and,
 * for annual-plan and budget-revision rounds, its budget estimate and the appraiser's decisions.
 * "Before the 25th" has the 24th as its last day: the deadline instant is 00:00 on the 25th.
 */
export const ObligationView = z.object({
  programId: z.string(),
  roundId: z.string(),
  roundKind: z.string(),
  roundTitle: z.object({ vi: z.string(), en: z.string() }),
  roundOpen: z.boolean(),
  unitId: z.string(),
  unitName: z.object({ vi: z.string(), en: z.string() }),
  /** the deadline in force (ISO instant): due before it */
  dueAt: z.string(),
  /** the last day to submit on time, local date YYYY-MM-DD */
  lastDay: z.string(),
  /** working days from today to the last day, both counted; 0 once it has passed */
  workingDaysLeft: z.number().int(),
  status: z.string(),
  /** ms; null before the first submission */
  lateByMs: z.number().nullable(),
  asksAmount: z.boolean(),
  submissions: z.array(
    z.object({ version: z.number().int(), at: z.string(), by: z.string(), fileName: z.string().nullable(), size: z.number().nullable(), note: z.string().nullable(), onTime: z.boolean(), lateByMs: z.number() }),
  ),
  extensionRequests: z.array(ExtensionRequestView),
  estimate: z
    .object({
      versions: z.array(
        z.object({
          version: z.number().int(),
          amountVnd: z.string(),
          status: z.string(),
          approvedAmountVnd: z.string().nullable(),
          decisions: z.array(z.object({ decision: z.string(), amountVnd: z.string().nullable(), reason: z.string().nullable(), decidedBy: z.string(), decidedAt: z.string() })),
        }),
      ),
    })
    .nullable(),
  /**
   * The report form the program declares for the round's kind, as this unit fills it (issue #15): its
   * indicators and sections, field names `ind.<id>`, `sec.<id>` and `sec.<id>.task.<n>`; null: no form.
   * `value` is what the field shows: the unit's draft if it has one, else its last submitted form, else ''.
   */
  form: z
    .object({
      indicators: z.array(
        z.object({ field: z.string(), id: z.string(), name: z.object({ vi: z.string(), en: z.string() }), unitOfMeasure: z.object({ vi: z.string(), en: z.string() }).nullable(), type: z.string(), required: z.boolean(), value: z.string() }),
      ),
      sections: z.array(
        z.object({
          field: z.string(),
          id: z.string(),
          title: z.object({ vi: z.string(), en: z.string() }),
          value: z.string(),
          tasks: z.array(z.object({ field: z.string(), number: z.number().int(), title: z.object({ vi: z.string(), en: z.string() }), value: z.string() })),
        }),
      ),
    })
    .nullable(),
  /** The unit's saved draft of the form (app/form-drafts.ts): when it was saved; null: none. */
  draft: z.object({ savedAt: z.string(), savedBy: z.string() }).nullable(),
});
export type ObligationView = z.infer<typeof ObligationView>;

type FormView = NonNullable<ObligationView['form']>;

function formViewOf(program: Program, roundKind: string, unit: Program['units'][number], values: Record<string, string>): FormView | null {
  const kind = formRoundKindSchema.safeParse(roundKind);
  const form = kind.success ? program.forms?.[kind.data] : undefined;
  if (!form) return null;
  const value = (field: string) => values[field] ?? '';
  return {
    indicators: indicatorsFor(form, unit).map((i) => ({
      field: `ind.${i.id}`,
      id: i.id,
      name: i.name,
      unitOfMeasure: unitOfMeasureOf(i),
      type: i.type,
      required: i.required,
      value: value(`ind.${i.id}`),
    })),
    sections: sectionsFor(form, unit).map((s) => ({
      field: `sec.${s.id}`,
      id: s.id,
      title: s.title,
      value: value(`sec.${s.id}`),
      tasks: s.tasks.map((n) => ({
        field: `sec.${s.id}.task.${n}`,
        number: n,
        title: program.tasks.find((t) => t.number === n)?.title ?? { vi: `Nhiệm vụ ${n}`, en: `Task ${n}` },
        value: value(`sec.${s.id}.task.${n}`),
      })),
    })),
  };
}

/**
 * The filled form from the agency page's fields (`ind.<id>`, `sec.<id>`, `sec.<id>.task.<n>`), blanks
 * left out; undefined when every field is blank (a file alone). The result is validated by
 * app/submissions.ts with the program's form, like a form from the CLI.
 */
export function formDataFromFields(fields: Record<string, string>): unknown {
  const indicators: Record<string, string> = {};
  const sections: Record<string, { text?: string; tasks: Record<string, string> }> = {};
  let any = false;
  for (const [name, raw] of Object.entries(fields)) {
    const value = raw.trim();
    if (!value) continue;
    const ind = /^ind\.(.+)$/.exec(name);
    const sec = /^sec\.([^.]+)(?:\.task\.(\d+))?$/.exec(name);
    if (ind) indicators[ind[1]!] = value;
    else if (sec) {
      const section = (sections[sec[1]!] ??= { tasks: {} });
      if (sec[2]) section.tasks[sec[2]] = value;
      else section.text = value;
    } else continue;
    any = true;
  }
  return any ? { indicators, sections } : undefined;
}

export interface ObligationViewOptions {
  /**
   * The form's fields as the agency just typed them (a refused draft or submission shown again), in
   * place of the stored draft's values, so nothing typed is lost.
   */
  typed?: Record<string, string>;
}

export async function obligationView(db: Db, program: Program, roundId: string, unitId: string, now: number, options: ObligationViewOptions = {}): Promise<ObligationView> {
  const round = await getRound(db, roundId);
  if (!round) throw new AppError('not-found', `no round ${roundId}`, 'roundId');
  const o = await getObligation(db, roundId, unitId);
  const unit = program.units.find((u) => u.id === unitId);
  if (!o || !unit) throw new AppError('not-found', `unit "${unitId}" has no obligation in round ${roundId}`, 'unitId');
  const zone = program.timeZone;
  const dueAt = Date.parse(o.dueAt);
  // The day of the last on-time instant, as the mails say it: the 24th for 00:00 on the 25th, the 25th
  // itself for 17:00 on the 25th.
  const lastDay = lastDayToSubmit(dueAt, zone);
  const today = localDateOf(now, zone);
  const rows = await db.submission.findMany({ where: { obligationId: o.id }, orderBy: { version: 'asc' } });
  const submissions = [];
  for (const s of rows) {
    const upload = await findUpload(db, s.fileRef);
    const late = Math.max(0, s.submittedAt.getTime() - dueAt);
    submissions.push({
      version: s.version,
      at: s.submittedAt.toISOString(),
      by: s.submittedBy,
      fileName: upload?.originalName ?? null,
      size: upload?.size ?? null,
      note: s.note,
      onTime: s.submittedAt.getTime() < dueAt,
      lateByMs: late,
    });
  }
  const asksAmount = round.kind === 'annual-plan' || round.kind === 'budget-revision';
  let estimate: ObligationView['estimate'] = null;
  if (asksAmount) {
    const versions = await listEstimates(db, { programId: program.id, year: round.year, unitId });
    estimate = {
      versions: await Promise.all(
        versions.map(async (e) => ({
          version: e.version,
          amountVnd: e.amountVnd,
          status: e.status,
          approvedAmountVnd: e.approvedAmountVnd,
          decisions: (await listDecisions(db, e.id)).map((d) => ({ decision: d.decision, amountVnd: d.amountVnd, reason: d.reason, decidedBy: d.decidedBy, decidedAt: d.decidedAt })),
        })),
      ),
    };
  }
  const draft = await getFormDraft(db, roundId, unitId);
  const shown = draft?.formData ?? (await getSubmissionFormData(db, roundId, unitId));
  const values = options.typed ?? (shown ? fieldsOfFormData(shown) : {});
  return {
    programId: program.id,
    roundId,
    roundKind: round.kind,
    roundTitle: round.title,
    roundOpen: round.status === 'open',
    unitId,
    unitName: unit.name,
    dueAt: o.dueAt,
    lastDay,
    workingDaysLeft: today > lastDay ? 0 : countWorkingDays(today, lastDay, program.calendar),
    status: o.status,
    lateByMs: o.lateByMs,
    asksAmount,
    submissions,
    extensionRequests: await listExtensionRequests({ db }, { roundId, unitId }),
    estimate,
    form: formViewOf(program, round.kind, unit, values),
    draft: draft ? { savedAt: draft.savedAt, savedBy: draft.savedBy } : null,
  };
}
