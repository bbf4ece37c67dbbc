import { validateFormData, type FormData } from '../domain/forms';
import { formRoundKindSchema, type ReportForm } from '../domain/program/forms';
import type { Program } from '../domain/program/schema';
import { discardFormDraft, getFormDraft, saveFormDraft } from '../infra/db/form-data';
import { getObligation, getRound } from '../infra/db/round-repository';
import type { AppClients } from './context';
import { AppError } from './errors';
import { requireUnit } from './programs';

/**
 * A unit's unfinished report form (issue #15, item 2): the agency saves what it has typed without
 * submitting, and finds it again when it opens its link later. A draft is a working copy kept in the
 * database (FormDraft, one per obligation): it is never a submission, never reaches the round's
 * workflow, changes no status and no compliance figure. Submitting a form removes it.
 *
 * A draft is validated with the same zod schema as a submission (domain/forms `formSubmissionSchema`)
 * with nothing required (`{ draft: true }`): it may be incomplete, but every value it holds has the right
 * type and bounds, and texts are NFC-normalised. Who may read or write it is the caller's check: the web
 * app passes the unit of the signed link only.
 */
export interface DraftView {
  formData: FormData;
  /** ISO instant of the last save */
  savedAt: string;
  savedBy: string;
}

type DraftClients = Pick<AppClients, 'db' | 'clock'>;

/** The round's form for `unitId`, and the obligation a draft belongs to; AppError when there is none. */
async function formOf(c: DraftClients, program: Program, roundId: string, unitId: string): Promise<{ form: ReportForm; open: boolean }> {
  const round = await getRound(c.db, roundId);
  if (!round) throw new AppError('not-found', `round ${roundId} does not exist (see "kybao status")`, 'roundId');
  if (!(await getObligation(c.db, roundId, unitId))) throw new AppError('not-found', `unit "${unitId}" has no obligation in round ${roundId}; a draft belongs to an obligation`, 'unitId');
  const kind = formRoundKindSchema.safeParse(round.kind);
  const form = kind.success ? program.forms?.[kind.data] : undefined;
  if (!form) throw new AppError('invalid', `round ${roundId} is a ${round.kind} round, for which program ${program.id} declares no report form; there is nothing to draft`, 'form');
  return { form, open: round.status === 'open' };
}

/**
 * Saves (replaces) the unit's draft. `formData` is the form as typed (unvalidated: `{ indicators,
 * sections }`, values as strings or numbers). Refused with AppError 'invalid' naming the first field at
 * fault (`form: indicators.su-kien: -2 is negative; …`) and nothing stored; 'refused' once the round has
 * closed (nothing can be submitted any more).
 */
export async function saveDraft(c: DraftClients, input: { program: Program; roundId: string; unitId: string; formData: unknown; by: string }): Promise<DraftView> {
  const unit = requireUnit(input.program, input.unitId);
  const { form, open } = await formOf(c, input.program, input.roundId, input.unitId);
  if (!open) throw new AppError('refused', `round ${input.roundId} is closed; a draft can no longer be submitted, so it is not saved`, 'roundId');
  const parsed = validateFormData(form, unit, input.formData ?? {}, { draft: true });
  if (!parsed.ok) {
    const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more problem${parsed.problems.length > 2 ? 's' : ''})` : '';
    throw new AppError('invalid', `form: ${parsed.problems[0]}${more}`, 'form');
  }
  const saved = await saveFormDraft(c.db, { roundId: input.roundId, unitId: input.unitId, formData: parsed.data, savedBy: input.by, savedAt: new Date(c.clock.now()) });
  return { formData: saved.formData, savedAt: saved.savedAt, savedBy: saved.savedBy };
}

/** The unit's draft, or null when it has none. */
export async function readDraft(c: DraftClients, input: { program: Program; roundId: string; unitId: string }): Promise<DraftView | null> {
  requireUnit(input.program, input.unitId);
  await formOf(c, input.program, input.roundId, input.unitId);
  const d = await getFormDraft(c.db, input.roundId, input.unitId);
  return d ? { formData: d.formData, savedAt: d.savedAt, savedBy: d.savedBy } : null;
}

/** After a submission with a form: the draft has served its purpose. True when there was one. */
export async function discardDraft(c: Pick<AppClients, 'db'>, roundId: string, unitId: string): Promise<boolean> {
  return discardFormDraft(c.db, roundId, unitId);
}

/**
 * The web form's field values (`ind.<id>`, `sec.<id>`, `sec.<id>.task.<n>`; the inverse of
 * app/agency.ts `formDataFromFields`), to fill the page with a draft or the last submitted form.
 */
export function fieldsOfFormData(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, value] of Object.entries(formData.indicators)) out[`ind.${id}`] = String(value);
  for (const [id, answer] of Object.entries(formData.sections)) {
    if (answer.text !== undefined) out[`sec.${id}`] = answer.text;
    for (const [n, text] of Object.entries(answer.tasks)) out[`sec.${id}.task.${n}`] = text;
  }
  return out;
}
