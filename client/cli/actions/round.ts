import { startAdhocRound as startAdhoc } from '../../../app/adhoc';
import { nfc } from '../../../app/text';
import { settingsFrom, withApp, type ConnectionFlags } from '../connection';
import { lastDay, localTime, print, printJson } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { resolveProgram } from './common';

export interface AdhocFlags extends ConnectionFlags, ProgramFlags {
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

/** `kybao round adhoc`: an ad hoc (đột xuất) round, in the running cycle of the deadline's year or standalone. */
export async function startAdhocRound(opts: AdhocFlags): Promise<void> {
  const env = settingsFrom(opts);
  const out = await withApp(env, async (c) => {
    const def = await resolveProgram(c.db, opts);
    const units = opts.units ? { unitIds: opts.units } : opts.category ? { category: opts.category } : { all: true as const };
    return startAdhoc(c, {
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
}
