import { quoted } from '../../../domain/text/quoted';
import { type Command, InvalidArgumentError } from 'commander';
import { defaultProgramPath } from '../../../domain/program/default-path';
import type { CalendarFlags } from '../actions/calendar';

function parseYear(value: string): number {
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 1900 || year > 2200)
    throw new InvalidArgumentError(`${quoted(value)} is not a year; give four digits, e.g. --year 2015`);
  return year;
}

export function register(program: Command): void {
  program
    .command('calendar')
    .description(
      "Print a cycle year's rounds (annual plan, budget appraisal, approval, quarterly reports, reviews) with each deadline, reminder and escalation, and the year's public holidays",
    )
    .requiredOption('--year <YYYY>', 'cycle year to schedule, e.g. 2015', parseYear)
    .option('--program <FILE>', 'program definition file (.yaml, .yml or .json)', defaultProgramPath)
    .option('--json', 'print JSON; instants are ISO-8601 with the program offset (e.g. +07:00) and epoch ms')
    .action(async (opts: CalendarFlags) => (await import('../actions/calendar')).calendar(opts));
}
