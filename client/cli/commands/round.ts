import { type Command, Option } from 'commander';
import { startAdhocRound } from '../../../app/adhoc';
import { nfc } from '../../../app/text';
import { settingsFrom, withApp, withConnectionOptions, type ConnectionFlags } from '../connection';
import { lastDay, localTime, print, printJson } from '../output';
import { actorOf, addProgramOptions, byOption, parseList, parseOffsets, resolveProgram, type ProgramFlags } from './common';

interface AdhocFlags extends ConnectionFlags, ProgramFlags {
  title: string;
  deadline: string;
  units?: string[];
  category?: string;
  reminders?: number[];
  subject?: string;
  by?: string;
  standalone?: boolean;
  json?: boolean;
}

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
  withConnectionOptions(adhoc).action(async (opts: AdhocFlags) => {
    const env = settingsFrom(opts);
    const out = await withApp(env, async (c) => {
      const def = await resolveProgram(c.db, opts);
      const units = opts.units ? { unitIds: opts.units } : opts.category ? { category: opts.category } : { all: true as const };
      return startAdhocRound(c, {
        program: def,
        title: nfc(opts.title),
        ...(opts.subject ? { subject: nfc(opts.subject) } : {}),
        deadline: opts.deadline,
        units,
        ...(opts.reminders ? { reminderOffsets: opts.reminders } : {}),
        standalone: !!opts.standalone,
        by: nfc(actorOf(opts.by)),
      });
    });
    if (opts.json) return printJson(out);
    print(
      `started ad hoc round ${out.roundId} (workflow ${out.workflowId}, ${out.via === 'standalone' ? 'standalone' : `in ${out.via}`}) for ${out.unitIds.length} unit(s), due before ${localTime(out.deadline)} (last day: ${lastDay(out.deadline)})`,
    );
  });
}
