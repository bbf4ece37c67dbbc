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
  file: string;
  note?: string;
  amount?: string;
  by?: string;
  json?: boolean;
}

/** `kybao submit`: a unit's report entered by a clerk, through the workflow gateway; prints the receipt. */
export async function submit(opts: SubmitFlags): Promise<void> {
  const env = settingsFrom(opts);
  const { receipt, upload, roundId, zone } = await withApp(env, async (c) => {
    const def = await resolveProgram(c.db, opts);
    const roundId = roundIdFrom(opts.round, def.id);
    const file = await incomingFromPath(opts.file);
    const result = await submitReport(c, {
      program: def,
      roundId,
      unitId: opts.unit,
      file,
      ...(opts.note ? { note: nfc(opts.note) } : {}),
      ...(opts.amount ? { amountVnd: opts.amount } : {}),
      by: nfc(actorOf(opts.by)),
    });
    return { ...result, roundId, zone: def.timeZone };
  });
  if (opts.json) return printJson({ ...receipt, reference: upload.reference, fileName: upload.originalName });
  print(
    `received: ${opts.unit} in ${roundId}, version ${receipt.version}, at ${localTime(receipt.submittedAt, zone)} — ` +
      timeliness(receipt) +
      `\nstored "${upload.originalName}" (${upload.size} bytes) as ${upload.reference}`,
  );
}
