import { extendDeadline } from '../../../app/extensions';
import { nfc } from '../../../app/text';
import { settingsFrom, withApp, type ConnectionFlags } from '../connection';
import { lastDay, localTime, print, printJson } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { resolveProgram, roundIdFrom } from './common';

export interface ExtendFlags extends ConnectionFlags, ProgramFlags {
  round: string;
  unit: string;
  until: string;
  reason: string;
  by?: string;
  json?: boolean;
}

/** `kybao extend`: one unit's later deadline in a round; its remaining reminders and escalations move with it. */
export async function extend(opts: ExtendFlags): Promise<void> {
  const env = settingsFrom(opts);
  const { result, zone } = await withApp(env, async (c) => {
    const def = await resolveProgram(c.db, opts);
    const roundId = roundIdFrom(opts.round, def.id);
    return { result: await extendDeadline(c, { program: def, roundId, unitId: opts.unit, until: opts.until, reason: nfc(opts.reason), by: nfc(actorOf(opts.by)) }), zone: def.timeZone };
  });
  if (opts.json) return printJson(result);
  print(`extended ${opts.unit} in ${result.roundId}: now due before ${localTime(result.unit?.dueAt, zone)}, last day ${result.unit?.dueAt ? lastDay(result.unit.dueAt, zone) : '–'} (status ${result.unit?.status ?? 'extended'})`);
}
