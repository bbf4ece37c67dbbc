import { readFile } from 'node:fs/promises';
import { AppError } from '../../../app/errors';
import { submitReport } from '../../../app/submissions';
import { incomingFromPath } from '../../../app/storage';
import { nfc } from '../../../app/text';
import { settingsFrom, withApp, type ConnectionFlags } from '../connection';
import { localTime, print, printJson, timeliness } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { resolveProgram, roundIdFrom } from './common';

export interface SubmitFlags extends ConnectionFlags, ProgramFlags {
  round: string;
  unit: string;
  file?: string;
  form?: string;
  note?: string;
  amount?: string;
  by?: string;
  json?: boolean;
}

async function readFormArgument(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch {
    throw new AppError('invalid', `--form ${file}: no such file; give the filled form as .json or .xlsx`, 'form');
  }
}

/** `kybao submit`: a unit's report entered by a clerk, through the workflow gateway; prints the receipt. */
export async function submit(opts: SubmitFlags): Promise<void> {
  if (opts.file === undefined && opts.form === undefined) throw new AppError('invalid', 'nothing to submit: give --file FILE, --form FILE (a filled report form), or both', 'file');
  const env = settingsFrom(opts);
  const { receipt, upload, roundId, zone } = await withApp(env, async (c) => {
    const def = await resolveProgram(c.db, opts);
    const roundId = roundIdFrom(opts.round, def.id);
    const formFile = opts.form === undefined ? undefined : { name: opts.form, bytes: await readFormArgument(opts.form) };
    const file = opts.file === undefined ? undefined : await incomingFromPath(opts.file);
    const result = await submitReport(c, {
      program: def,
      roundId,
      unitId: opts.unit,
      ...(file ? { file } : {}),
      ...(formFile ? { formFile } : {}),
      ...(opts.note ? { note: nfc(opts.note) } : {}),
      ...(opts.amount ? { amountVnd: opts.amount } : {}),
      by: nfc(actorOf(opts.by)),
    });
    return { ...result, roundId, zone: def.timeZone };
  });
  if (opts.json) return printJson({ ...receipt, ...(upload ? { reference: upload.reference, fileName: upload.originalName } : {}), withForm: opts.form !== undefined });
  print(
    `received: ${opts.unit} in ${roundId}, version ${receipt.version}, at ${localTime(receipt.submittedAt, zone)} — ` +
      timeliness(receipt) +
      (upload ? `\nstored "${upload.originalName}" (${upload.size} bytes) as ${upload.reference}` : '') +
      (opts.form !== undefined ? `\nreport form from ${opts.form} stored with version ${receipt.version}` : ''),
  );
}
