import { type Command } from 'commander';
import { approvePlanUpdate } from '../../../workflows/cycle';
import { cycleWorkflowId } from '../../../workflows/ids';
import { settingsFrom, withConnectionOptions, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { localTime, print, printJson } from '../output';
import { actorOf, addProgramOptions, byOption, answerWithin, explainWorkflowError, parseYear, resolveProgram, type ProgramFlags } from './common';

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
    const def = await withDatabase(env, (db) => resolveProgram(db, opts));
    const workflowId = cycleWorkflowId(def.id, opts.year);
    const status = await withTemporal(env, async (client) => {
      try {
        return await answerWithin(client.workflow
          .getHandle(workflowId)
          .executeUpdate(approvePlanUpdate, { args: [{ approvedBy: actorOf(opts.by), ...(opts.note ? { note: opts.note } : {}) }] }), workflowId);
      } catch (err) {
        throw explainWorkflowError(err, workflowId, 'the approval was');
      }
    });
    if (opts.json) return printJson(status);
    print(`plan ${opts.year} approved by ${status.approval?.approvedBy} at ${localTime(status.approval?.at, def.timeZone)}`);
  });
}
