import { readFormFile } from '../documents/form-file';
import { validateFormData, type FormData } from '../domain/forms';
import { formRoundKindSchema } from '../domain/program/forms';
import { describeZodError, SubmitReport, type SubmissionReceipt } from '../domain/round/schema';
import type { Program } from '../domain/program/schema';
import { getRound } from '../infra/db/round-repository';
import type { AppClients } from './context';
import { AppError } from './errors';
import { discardDraft } from './form-drafts';
import { requireUnit } from './programs';
import type { IncomingFile, StoredUpload } from './storage';
import { cleanText } from './text';

/**
 * A unit's report for a round, from the web form or `kybao submit --file/--form`: the file goes through
 * the storage's checks (empty, too large, type), is kept, and the round takes the submission through its
 * Update. When the round refuses (unit not in the round, round closed, no such round), the kept file
 * and its row are removed again: a refused submission leaves nothing behind.
 *
 * A filled report form (issue #15) is validated with the zod schema the program declares for the round's
 * kind (domain/forms formSubmissionSchema) before anything is kept, and stored with the submission
 * version. A submission needs a file, a form, or both; one with a form and no file is referenced as
 * `form:<unit id>`.
 */
export interface SubmitReportInput {
  program: Program;
  roundId: string;
  unitId: string;
  file?: IncomingFile;
  /** The filled report form as parsed from JSON (unvalidated); see domain/forms/form-data.ts for the shape. */
  formData?: unknown;
  /** Or the filled form as a file: JSON in that shape, or the unit's .xlsx template (documents/form-file.ts). */
  formFile?: { name: string; bytes: Buffer };
  note?: string;
  /** whole VND, digits (annual plan and budget revision rounds) */
  amountVnd?: string;
  /** who submits: a staff e-mail, "agency:<unit>" or "cli:<login>" */
  by: string;
}

export interface SubmitReportResult<U extends StoredUpload | null = StoredUpload> {
  receipt: SubmissionReceipt;
  upload: U;
}

type SubmitClients = Pick<AppClients, 'db' | 'gateway' | 'clock' | 'storage'>;

/**
 * The form the program declares for the round's kind, parsed for `unit`; AppError 'invalid' naming the
 * first field at fault (e.g. `indicators.su-kien: -2 is negative; a count is 0 or more`).
 */
async function validatedForm(c: SubmitClients, input: SubmitReportInput, unit: Program['units'][number]): Promise<FormData> {
  const round = await getRound(c.db, input.roundId);
  if (!round) throw new AppError('not-found', `round ${input.roundId} does not exist (see "kybao status")`, 'roundId');
  const kind = formRoundKindSchema.safeParse(round.kind);
  const form = kind.success ? input.program.forms?.[kind.data] : undefined;
  if (!form) throw new AppError('invalid', `round ${input.roundId} is a ${round.kind} round, for which program ${input.program.id} declares no report form; submit a file without a form`, 'form');
  const parsed = input.formFile
    ? await readFormFile(input.formFile.name, input.formFile.bytes, { form, unit, roundId: input.roundId })
    : validateFormData(form, unit, input.formData);
  if (!parsed.ok) {
    const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more problem${parsed.problems.length > 2 ? 's' : ''})` : '';
    throw new AppError('invalid', `form: ${parsed.problems[0]}${more}`, 'form');
  }
  return parsed.data;
}

export async function submitReport(c: SubmitClients, input: SubmitReportInput & { file: IncomingFile }): Promise<SubmitReportResult>;
export async function submitReport(c: SubmitClients, input: SubmitReportInput): Promise<SubmitReportResult<StoredUpload | null>>;
export async function submitReport(c: SubmitClients, input: SubmitReportInput): Promise<SubmitReportResult<StoredUpload | null>> {
  const unit = requireUnit(input.program, input.unitId);
  const receivedAt = c.clock.now();
  const note = cleanText(input.note);
  const refuse = (err: AppError): never => {
    input.file?.stream.resume();
    throw err;
  };
  const hasForm = input.formData !== undefined || input.formFile !== undefined;
  if (!input.file && !hasForm) return refuse(new AppError('invalid', 'a submission needs a file, a report form, or both', 'file'));
  // Checked before the file is read, so a bad note, amount or form costs no upload.
  const formData = !hasForm ? undefined : await validatedForm(c, input, unit).catch((err: unknown) => (err instanceof AppError ? refuse(err) : Promise.reject(err)));
  const draft = SubmitReport.safeParse({
    unitId: input.unitId,
    submittedBy: input.by,
    reference: 'pending',
    ...(note ? { note } : {}),
    ...(input.amountVnd ? { amountVnd: input.amountVnd } : {}),
    ...(formData ? { formData } : {}),
  });
  if (!draft.success) return refuse(new AppError('invalid', describeZodError(draft.error), String(draft.error.issues[0]?.path[0] ?? 'payload')));
  const report = draft.data;
  const upload = input.file ? await c.storage.put(c.db, input.file, { roundId: input.roundId, unitId: input.unitId, uploadedBy: input.by, at: new Date(receivedAt) }) : null;
  try {
    const reference = upload ? upload.reference : `form:${input.unitId}`;
    const receipt = await c.gateway.submitReport(input.roundId, { ...report, reference }, c.clock.stampsArrivals === false ? undefined : receivedAt);
    // The submitted form supersedes the unit's draft (app/form-drafts.ts). The submission stands either
    // way: a draft left behind by a failed delete is only a working copy, so it does not fail the receipt.
    if (formData) await discardDraft(c, input.roundId, input.unitId).catch(() => false);
    return { receipt, upload };
  } catch (err) {
    if (upload) await c.storage.discard(c.db, upload);
    throw err;
  }
}
