import { type Command } from 'commander';
import { extendDeadline } from '../../../app/extensions';
import { nfc } from '../../../app/text';
import { settingsFrom, withApp, withConnectionOptions, type ConnectionFlags } from '../connection';
import { lastDay, localTime, print, printJson } from '../output';
import { actorOf, addProgramOptions, byOption, resolveProgram, roundIdFrom, type ProgramFlags } from './common';

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
    const { result, zone } = await withApp(env, async (c) => {
      const def = await resolveProgram(c.db, opts);
      const roundId = roundIdFrom(opts.round, def.id);
      return { result: await extendDeadline(c, { program: def, roundId, unitId: opts.unit, until: opts.until, reason: nfc(opts.reason), by: nfc(actorOf(opts.by)) }), zone: def.timeZone };
    });
    if (opts.json) return printJson(result);
    print(`extended ${opts.unit} in ${result.roundId}: now due before ${localTime(result.unit?.dueAt, zone)}, last day ${result.unit?.dueAt ? lastDay(result.unit.dueAt, zone) : '–'} (status ${result.unit?.status ?? 'extended'})`);
  });
}
