import { describeZodError, SubmitReport, type SubmissionReceipt } from '../domain/round/schema';
import type { Program } from '../domain/program/schema';
import type { AppClients } from './context';
import { AppError } from './errors';
import { requireUnit } from './programs';
import type { IncomingFile, StoredUpload } from './storage';
import { cleanText } from './text';

/**
 * A unit's report for a round, from the web form or `kybao submit --file`: the file goes through the
 * storage's checks (empty, too large, type), is kept, and the round takes the submission through its
 * Update. When the round refuses (unit not in the round, round closed, no such round), the kept file
 * and its row are removed again: a refused submission leaves nothing behind.
 */
export interface SubmitReportInput {
  program: Program;
  roundId: string;
  unitId: string;
  file: IncomingFile;
  note?: string;
  /** whole VND, digits (annual plan and budget revision rounds) */
  amountVnd?: string;
  /** who submits: a staff e-mail, "agency:<unit>" or "cli:<login>" */
  by: string;
}

export interface SubmitReportResult {
  receipt: SubmissionReceipt;
  upload: StoredUpload;
}

export async function submitReport(c: Pick<AppClients, 'db' | 'gateway' | 'clock' | 'storage'>, input: SubmitReportInput): Promise<SubmitReportResult> {
  requireUnit(input.program, input.unitId);
  const receivedAt = c.clock.now();
  const note = cleanText(input.note);
  // Checked before the file is read, so a bad note or amount costs no upload.
  const draft = SubmitReport.safeParse({ unitId: input.unitId, submittedBy: input.by, reference: 'pending', ...(note ? { note } : {}), ...(input.amountVnd ? { amountVnd: input.amountVnd } : {}) });
  if (!draft.success) {
    input.file.stream.resume();
    throw new AppError('invalid', describeZodError(draft.error), String(draft.error.issues[0]?.path[0] ?? 'payload'));
  }
  const upload = await c.storage.put(c.db, input.file, { roundId: input.roundId, unitId: input.unitId, uploadedBy: input.by, at: new Date(receivedAt) });
  try {
    const receipt = await c.gateway.submitReport(input.roundId, { ...draft.data, reference: upload.reference }, c.clock.stampsArrivals === false ? undefined : receivedAt);
    return { receipt, upload };
  } catch (err) {
    await c.storage.discard(c.db, upload);
    throw err;
  }
}
