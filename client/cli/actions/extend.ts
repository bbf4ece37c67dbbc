import { extendDeadlineUpdate } from '../../../workflows/round';
import { roundWorkflowId } from '../../../workflows/ids';
import { ExtendDeadline, describeZodError } from '../../../domain/round/schema';
import { settingsFrom, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { localTime, print, printJson } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { answerWithin, explainWorkflowError, parseDeadline, requireUnit, resolveProgram, roundIdFrom } from './common';

export interface ExtendFlags extends ConnectionFlags, ProgramFlags {
  round: string;
  unit: string;
  until: string;
  reason: string;
  by?: string;
  json?: boolean;
}

/** `kybao extend`: one unit's later deadline in a round (extendDeadlineUpdate); prints the unit's new status. */
export async function extend(opts: ExtendFlags): Promise<void> {
  const env = settingsFrom(opts);
  const def = await withDatabase(env, (db) => resolveProgram(db, opts));
  requireUnit(def, opts.unit);
  const until = parseDeadline(opts.until, def.timeZone, '--until');
  const payload = { unitId: opts.unit, until, reason: opts.reason, grantedBy: actorOf(opts.by) };
  const parsed = ExtendDeadline.safeParse(payload);
  if (!parsed.success) throw new Error(describeZodError(parsed.error));
  const roundId = roundIdFrom(opts.round, def.id);
  const workflowId = roundWorkflowId(roundId);
  const status = await withTemporal(env, async (client) => {
    try {
      return await answerWithin(client.workflow.getHandle(workflowId).executeUpdate(extendDeadlineUpdate, { args: [parsed.data] }), workflowId);
    } catch (err) {
      throw explainWorkflowError(err, workflowId, 'the extension was');
    }
  });
  const unit = status.units.find((u) => u.unitId === opts.unit);
  if (opts.json) return printJson({ roundId, unit });
  print(`extended ${opts.unit} in ${roundId}: now due before ${localTime(unit?.dueAt ?? until, def.timeZone)} (status ${unit?.status ?? 'extended'})`);
}
