import { approvePlanUpdate } from '../../../workflows/cycle';
import { cycleWorkflowId } from '../../../workflows/ids';
import { settingsFrom, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { localTime, print, printJson } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { answerWithin, explainWorkflowError, resolveProgram } from './common';

export interface ApprovePlanFlags extends ConnectionFlags, ProgramFlags {
  year: number;
  note?: string;
  by?: string;
  json?: boolean;
}

/** `kybao plan approve`: the approving authority approves a year's plan (approvePlanUpdate on the cycle). */
export async function approvePlan(opts: ApprovePlanFlags): Promise<void> {
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
}
