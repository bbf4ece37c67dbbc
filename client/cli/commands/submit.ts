import { type Command, Option } from 'commander';
import { submitReport } from '../../../app/submissions';
import { incomingFromPath } from '../../../app/storage';
import { settingsFrom, withApp, withConnectionOptions, type ConnectionFlags } from '../connection';
import { localTime, print, printJson, timeliness } from '../output';
import { actorOf, addProgramOptions, byOption, parseAmount, resolveProgram, roundIdFrom, type ProgramFlags } from './common';
import { nfc } from '../../../app/text';

export function register(program: Command): void {
  const cmd = program
    .command('submit')
    .description("Submit a unit's report to a round (a clerk entering a paper report, or a unit without web access); prints the receipt")
    .requiredOption('--round <ROUND>', 'round key (2026-Q4), id or workflow id')
    .requiredOption('--unit <ID>', 'unit id')
    .requiredOption('--file <FILE>', 'the report (KYBAO_UPLOAD_TYPES, at most KYBAO_UPLOAD_MAX_BYTES); kept by SHA-256 in KYBAO_STORAGE')
    .option('--note <TEXT>', 'a note for the coordinator')
    .addOption(new Option('--amount <VND>', 'budget estimate in VND (annual plan and budget revision rounds)').argParser(parseAmount))
    .addOption(byOption('submits it'))
    .option('--json', 'print JSON');
  addProgramOptions(cmd);
  withConnectionOptions(cmd).action(async (opts: ConnectionFlags & ProgramFlags & { round: string; unit: string; file: string; note?: string; amount?: string; by?: string; json?: boolean }) => {
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
  });
}
