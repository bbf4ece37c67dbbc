import { type Command, Option } from 'commander';
import type { SubmitFlags } from '../actions/submit';
import { addProgramOptions, byOption, parseAmount, withConnectionOptions } from './common';

export function register(program: Command): void {
  const cmd = program
    .command('submit')
    .description("Submit a unit's report to a round (a clerk entering a paper report, or a unit without web access): a file, a filled report form, or both; prints the receipt")
    .requiredOption('--round <ROUND>', 'round key (2026-Q4), id or workflow id')
    .requiredOption('--unit <ID>', 'unit id')
    .option('--file <FILE>', 'the report (KYBAO_UPLOAD_TYPES, at most KYBAO_UPLOAD_MAX_BYTES); kept by SHA-256 in KYBAO_STORAGE')
    .option('--form <FILE>', "the filled report form, .json (see the README's form shape) or the unit's .xlsx template; validated against the program's form for the round's kind")
    .option('--note <TEXT>', 'a note for the coordinator')
    .addOption(new Option('--amount <VND>', 'budget estimate in VND (annual plan and budget revision rounds)').argParser(parseAmount))
    .addOption(byOption('submits it'))
    .option('--json', 'print JSON');
  addProgramOptions(cmd);
  withConnectionOptions(cmd).action(async (opts: SubmitFlags) => (await import('../actions/submit')).submit(opts));
}
