import { type Command } from 'commander';
import type { ExtendFlags } from '../actions/extend';
import { addProgramOptions, byOption, withConnectionOptions } from './common';

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
  withConnectionOptions(cmd).action(async (opts: ExtendFlags) => (await import('../actions/extend')).extend(opts));
}
