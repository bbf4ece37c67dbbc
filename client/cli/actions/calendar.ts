import { DateTime } from 'luxon';
import { computeYearSchedule, holidaysForYear, type ScheduledRound } from '../../../domain/calendar';
import { loadProgramFile } from '../../../domain/program/load-file';
import type { Program } from '../../../domain/program';

export interface CalendarFlags {
  year: number;
  program: string;
  json?: boolean;
}

/** Weekday names in English whatever the machine's locale, so output is the same everywhere. */
function local(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).setLocale('en-GB').toFormat('ccc yyyy-MM-dd HH:mm');
}

function day(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).setLocale('en-GB').toFormat('ccc yyyy-MM-dd');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function roundLines(round: ScheduledRound, zone: string): string[] {
  const events: Array<[number, string]> = [
    ...round.reminders.map((r): [number, string] => [r.atMs, `reminder, ${plural(r.offsetWorkingDays, 'working day')} before`]),
    [
      round.deadlineMs,
      `DEADLINE (last day to submit: ${day(round.lastDay, zone)}${round.shiftedFrom ? `, moved from ${day(round.shiftedFrom, zone)}` : ''})`,
    ],
    ...round.escalations.map((e): [number, string] => [
      e.atMs,
      `escalation ${e.step}, ${plural(e.afterWorkingDays, 'working day')} after → ${e.recipients.join(', ')}`,
    ]),
  ];
  events.sort((a, b) => a[0] - b[0]);
  return [
    `${round.roundKey}  ${round.title.vi} / ${round.title.en}  [owed by: ${round.responsible}]`,
    ...events.map(([ms, what]) => `    ${local(ms, zone)}  ${what}`),
  ];
}

function renderTable(program: Program, year: number): string {
  const schedule = computeYearSchedule(program, year);
  const zone = program.timeZone;
  const offset = DateTime.fromObject({ year, month: 6, day: 1 }, { zone }).toFormat('ZZ');
  const lines = [
    `${program.title.en} (${program.id})`,
    `Schedule for cycle year ${year}; local times in ${zone} (UTC${offset}).`,
    '',
  ];
  for (const round of schedule.rounds) lines.push(...roundLines(round, zone), '');
  const holidays = holidaysForYear(year, program.calendar);
  lines.push(`Days off in ${year} besides weekends (${holidays.length}):`);
  for (const h of holidays) lines.push(`    ${day(h.date, zone)}  ${h.name.vi} / ${h.name.en}${h.kind === 'statutory' ? '' : ` (${h.kind})`}`);
  return lines.join('\n') + '\n';
}

/** `kybao calendar`: a cycle year's rounds with every deadline, reminder and escalation, and the holidays. */
export function calendar(opts: CalendarFlags): void {
  const def = loadProgramFile(opts.program);
  if (opts.year < def.period.firstYear || opts.year > def.period.lastYear)
    process.stderr.write(
      `note: ${opts.year} is outside the period ${def.period.firstYear}–${def.period.lastYear} of program "${def.id}"; its rules were applied anyway\n`,
    );
  if (opts.json) {
    const output = { ...computeYearSchedule(def, opts.year), holidays: holidaysForYear(opts.year, def.calendar) };
    process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  } else {
    process.stdout.write(renderTable(def, opts.year));
  }
}
