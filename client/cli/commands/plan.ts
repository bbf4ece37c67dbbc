import { type Command } from 'commander';
import type { ApprovePlanFlags } from '../actions/plan';
import { addProgramOptions, byOption, parseYear, withConnectionOptions } from './common';

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
  withConnectionOptions(approve).action(async (opts: ApprovePlanFlags) => (await import('../actions/plan')).approvePlan(opts));
}
