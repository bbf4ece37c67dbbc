import { type Command, Option } from 'commander';
import type { AdhocFlags } from '../actions/round';
import { addProgramOptions, byOption, parseList, parseOffsets, withConnectionOptions } from './common';

export function register(program: Command): void {
  const round = program.command('round').description('Reporting rounds started by hand');
  const adhoc = round
    .command('adhoc')
    .description(
      "Start an ad hoc (đột xuất) round: through the running cycle of the deadline's year, or as a round of its own when no cycle runs",
    )
    .requiredOption('--title <TEXT>', 'what the units must report on')
    .requiredOption('--deadline <DATE>', 'YYYY-MM-DD (due before 00:00 that day, program time zone) or an ISO instant with offset')
    .addOption(new Option('--units <IDS>', 'comma-separated unit ids').argParser(parseList).conflicts('category'))
    .addOption(new Option('--category <CATEGORY>', 'every unit of a category (department, district, socio-political, press, other)'))
    .addOption(new Option('--reminders <DAYS>', 'reminders this many working days before the deadline, e.g. 5,2,1 (default: the program’s)').argParser(parseOffsets))
    .option('--subject <TEXT>', 'a longer description sent with the announcement')
    .option('--standalone', 'start a round of its own even when a cycle runs')
    .addOption(byOption('starts it'))
    .option('--json', 'print JSON');
  addProgramOptions(adhoc);
  withConnectionOptions(adhoc).action(async (opts: AdhocFlags) => (await import('../actions/round')).startAdhocRound(opts));
}
