import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../infra/db/database-url';
import { SubmitReport, describeZodError } from '../../../domain/round/schema';
import { roundWorkflowId } from '../../../workflows/ids';
import { submitReportUpdate } from '../../../workflows/round';
import { settingsFrom, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { duration, localTime, print, printJson } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { answerWithin, explainWorkflowError, requireUnit, resolveProgram, roundIdFrom } from './common';

export interface SubmitFlags extends ConnectionFlags, ProgramFlags {
  round: string;
  unit: string;
  file: string;
  note?: string;
  amount?: string;
  by?: string;
  json?: boolean;
}

/** Where submitted files are kept: KYBAO_SUBMISSIONS_DIR, default .data/submissions in the repository. */
export function submissionsDir(): string {
  return path.resolve(REPO_ROOT, process.env.KYBAO_SUBMISSIONS_DIR ?? '.data/submissions');
}

/**
 * Keeps a copy of the report under the submissions folder, named by its content hash, and returns the
 * reference the round records: "<path relative to the repository>#sha256=<hex>".
 */
export function storeSubmission(file: string, roundId: string, unitId: string): { reference: string; stored: string; sha256: string; created: boolean } {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw new Error(`--file ${file}: no such file; check the path`);
  }
  if (!stat.isFile()) throw new Error(`--file ${file}: not a regular file`);
  const content = readFileSync(file);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const dir = path.join(submissionsDir(), ...roundId.split(':'), unitId);
  mkdirSync(dir, { recursive: true });
  const stored = path.join(dir, `${sha256.slice(0, 16)}-${path.basename(file).replace(/[^\p{L}\p{N}._-]+/gu, '_')}`);
  const created = !existsSync(stored);
  if (created) copyFileSync(file, stored);
  const rel = path.relative(REPO_ROOT, stored);
  return { reference: `${rel.startsWith('..') ? stored : rel}#sha256=${sha256}`, stored, sha256, created };
}

/** `kybao submit`: stores the report's copy, sends submitReportUpdate to the round and prints the receipt. */
export async function submit(opts: SubmitFlags): Promise<void> {
  const env = settingsFrom(opts);
  const def = await withDatabase(env, (db) => resolveProgram(db, opts));
  requireUnit(def, opts.unit);
  const roundId = roundIdFrom(opts.round, def.id);
  const workflowId = roundWorkflowId(roundId);
  const stored = storeSubmission(opts.file, roundId, opts.unit);
  const payload = {
    unitId: opts.unit,
    submittedBy: actorOf(opts.by),
    reference: stored.reference,
    ...(opts.note ? { note: opts.note } : {}),
    ...(opts.amount ? { amountVnd: opts.amount } : {}),
  };
  const parsed = SubmitReport.safeParse(payload);
  if (!parsed.success) throw new Error(describeZodError(parsed.error));
  let receipt;
  try {
    receipt = await withTemporal(env, async (client) => {
      try {
        return await answerWithin(client.workflow.getHandle(workflowId).executeUpdate(submitReportUpdate, { args: [parsed.data] }), workflowId);
      } catch (err) {
        throw explainWorkflowError(err, workflowId, 'the submission was');
      }
    });
  } catch (err) {
    if (stored.created) rmSync(stored.stored, { force: true });
    throw err;
  }
  if (opts.json) return printJson({ ...receipt, reference: stored.reference });
  print(
    `received: ${opts.unit} in ${roundId}, version ${receipt.version}, at ${localTime(receipt.submittedAt, def.timeZone)} — ` +
      (receipt.onTime ? 'on time' : `late by ${duration(receipt.lateByMs)}`) +
      `\nstored ${stored.reference}`,
  );
}
