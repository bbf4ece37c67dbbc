import { type Command, Option } from 'commander';
import type { AppraiseFlags } from '../actions/appraise';
import { addProgramOptions, byOption, parseAmount, parseYear, withConnectionOptions } from './common';

export function register(program: Command): void {
  const cmd = program
    .command('appraise')
    .description("The appraiser's decision on a unit's budget estimate for a year: approve it, adjust the amount, or return it for revision")
    .requiredOption('--year <YYYY>', 'cycle year', parseYear)
    .requiredOption('--unit <ID>', 'unit id')
    .addOption(new Option('--approve', 'approve the estimate as submitted'))
    .addOption(new Option('--adjust <VND>', 'approve a different amount').argParser(parseAmount))
    .addOption(new Option('--reason <TEXT>', 'why the amount is adjusted (required with --adjust)'))
    .addOption(new Option('--return <REASON>', 'send it back for revision, saying why'))
    .addOption(byOption('decides'))
    .option('--json', 'print JSON');
  addProgramOptions(cmd);
  withConnectionOptions(cmd).action(async (opts: AppraiseFlags) => (await import('../actions/appraise')).appraise(opts));
}
