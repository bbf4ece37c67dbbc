import { type Command } from 'commander';
import { approvePlan } from '../../../app/plan-approval';
import { nfc } from '../../../app/text';
import { settingsFrom, withApp, withConnectionOptions, type ConnectionFlags } from '../connection';
import { localTime, print, printJson } from '../output';
import { actorOf, addProgramOptions, byOption, parseYear, resolveProgram, type ProgramFlags } from './common';

export function register(program: Command): void {
  const plan = program.command('plan').description("The province's annual plan");
  const approve = plan
    .command('approve')
    .description("The approving authority approves a year's plan and budget (after appraisal)")
    .requiredOption('--year <YYYY>', 'cycle year', parseYear)
    .option('--note <TEXT>', 'a note kept with the approval')
    .addOption(byOption('approves'))
    .option('--json', 'print JSON');
  addProgramOptions(approve);
  withConnectionOptions(approve).action(async (opts: ConnectionFlags & ProgramFlags & { year: number; note?: string; by?: string; json?: boolean }) => {
    const env = settingsFrom(opts);
    const { status, zone } = await withApp(env, async (c) => {
      const def = await resolveProgram(c.db, opts);
      return { status: await approvePlan(c, { program: def, year: opts.year, ...(opts.note ? { note: nfc(opts.note) } : {}), by: nfc(actorOf(opts.by)) }), zone: def.timeZone };
    });
    if (opts.json) return printJson(status);
    print(`plan ${opts.year} approved by ${status.approval?.approvedBy} at ${localTime(status.approval?.at, zone)}`);
  });
}
