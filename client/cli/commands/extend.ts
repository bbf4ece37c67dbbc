import { type Command } from 'commander';
import { extendDeadlineUpdate } from '../../../workflows/round';
import { roundWorkflowId } from '../../../workflows/ids';
import { ExtendDeadline, describeZodError } from '../../../domain/round/schema';
import { settingsFrom, withConnectionOptions, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { lastDay, localTime, print, printJson } from '../output';
import { actorOf, addProgramOptions, byOption, answerWithin, explainWorkflowError, parseDeadline, requireUnit, resolveProgram, roundIdFrom, type ProgramFlags } from './common';

export function register(program: Command): void {
  const cmd = program
    .command('extend')
    .description("Give one unit a later deadline in a round; its remaining reminders and escalations move with it")
    .requiredOption('--round <ROUND>', 'round key (2026-Q4), id or workflow id')
    .requiredOption('--unit <ID>', 'unit id')
    .requiredOption('--until <DATE>', 'new deadline: YYYY-MM-DD (due before 00:00 that day) or an ISO instant with offset')
    .requiredOption('--reason <TEXT>', 'why (kept in the history and the audit log)')
    .addOption(byOption('grants it'))
    .option('--json', 'print JSON');
  addProgramOptions(cmd);
  withConnectionOptions(cmd).action(async (opts: ConnectionFlags & ProgramFlags & { round: string; unit: string; until: string; reason: string; by?: string; json?: boolean }) => {
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
    print(`extended ${opts.unit} in ${roundId}: now due before ${localTime(unit?.dueAt ?? until, def.timeZone)}, last day ${lastDay(unit?.dueAt ?? until, def.timeZone)} (status ${unit?.status ?? 'extended'})`);
  });
}
