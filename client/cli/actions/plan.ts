import { approvePlan as approvePlanFor } from '../../../app/plan-approval';
import { nfc } from '../../../app/text';
import { settingsFrom, withApp, type ConnectionFlags } from '../connection';
import { localTime, print, printJson } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { resolveProgram } from './common';

export interface ApprovePlanFlags extends ConnectionFlags, ProgramFlags {
  year: number;
  note?: string;
  by?: string;
  json?: boolean;
}

/** `kybao plan approve`: the approving authority approves a year's plan and budget. */
export async function approvePlan(opts: ApprovePlanFlags): Promise<void> {
  const env = settingsFrom(opts);
  const { status, zone } = await withApp(env, async (c) => {
    const def = await resolveProgram(c.db, opts);
    return { status: await approvePlanFor(c, { program: def, year: opts.year, ...(opts.note ? { note: nfc(opts.note) } : {}), by: nfc(actorOf(opts.by)) }), zone: def.timeZone };
  });
  if (opts.json) return printJson(status);
  print(`plan ${opts.year} approved by ${status.approval?.approvedBy} at ${localTime(status.approval?.at, zone)}`);
}
