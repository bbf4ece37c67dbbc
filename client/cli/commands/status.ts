import { type Command, Option } from 'commander';
import type { StatusFlags } from '../actions/status';
import { addProgramOptions, parseYear, withConnectionOptions } from './common';

export function register(program: Command): void {
  const cmd = program
    .command('status')
    .description('Who reported what in a cycle year: units × rounds (on time / late / missing / pending / extended / overdue) with completion and timeliness rates')
    .addOption(new Option('--year <YYYY>', 'cycle year (default: the current year in the program time zone)').argParser(parseYear))
    .addOption(new Option('--round <ROUND>', 'one round in detail: its key (2026-Q4), id (qd-925-thai-binh:2026-Q4) or workflow id'))
    .option('--json', 'print JSON');
  addProgramOptions(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: StatusFlags) => (await import('../actions/status')).status(opts));
}
