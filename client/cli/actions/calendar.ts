import { DateTime } from 'luxon';
// From their own files, not domain/calendar's index: these need no zod (issue #14, start-up).
import { holidaysForYear } from '../../../domain/calendar/holidays';
import { isoWeekday, plusDays } from '../../../domain/calendar/local-date';
import type { ScheduledRound } from '../../../domain/calendar/round-schedule';
import { computeYearSchedule } from '../../../domain/calendar/schedule';
import { holidayOn, isWorkingDay } from '../../../domain/calendar/working-days';
import type { Program } from '../../../domain/program/schema';
import { readPrebuiltProgram } from '../prebuilt-program';

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
  lines.push(...holidayLines(program, year));
  return lines.join('\n') + '\n';
}

/**
 * The year's days off and Saturdays worked: from the published schedule when the program has one for
 * the year (with its source), else computed; and, for a published year, every day whose status differs
 * from the statutory computation, so a reader sees what the government changed.
 */
function holidayLines(program: Program, year: number): string[] {
  const zone = program.timeZone;
  const policy = program.calendar;
  const override = policy.overrides.find((o) => o.year === year);
  const computedPolicy = { ...policy, overrides: [] };
  const holidays = holidaysForYear(year, policy);
  const computed = new Set(holidaysForYear(year, computedPolicy).map((h) => h.date));
  const lines = [
    override
      ? `Days off in ${year} besides weekends (${holidays.length}), by the published schedule${policy.holidaySchedule ? ` (${policy.holidaySchedule})` : ''}${override.replace ? '' : ', the rest computed'}:`
      : `Days off in ${year} besides weekends (${holidays.length}), computed from the statutory rules (no published schedule for ${year}):`,
  ];
  if (override?.source) lines.push(`    source: ${override.source}`);
  for (const h of holidays) {
    const mark = override && !computed.has(h.date) && !isWeekend(h.date, policy) ? '  ≠ computed: a working day' : '';
    // The heading says where the days come from; the names say which are compensatory ("Nghỉ bù").
    lines.push(`    ${day(h.date, zone)}  ${h.name.vi} / ${h.name.en}${mark}`);
  }
  if (override?.workingDays.length) {
    lines.push(`Saturdays and Sundays worked in ${year} (làm bù):`);
    for (const d of override.workingDays) lines.push(`    ${day(d, zone)}  working day`);
  }
  if (override) {
    const differences: string[] = [];
    for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = plusDays(d, 1)) {
      const published = isWorkingDay(d, policy);
      if (published === isWorkingDay(d, computedPolicy)) continue;
      const why = published ? 'working day' : 'day off';
      const was = published ? (holidayOn(d, computedPolicy)?.name.en ?? 'weekend') : 'working day';
      differences.push(`    ${day(d, zone)}  ${why} (computed: ${was})`);
    }
    lines.push(
      differences.length
        ? `Where the published schedule differs from the computed one (${differences.length} day${differences.length === 1 ? '' : 's'}):`
        : 'The published schedule gives the same working days as the computed one.',
      ...differences,
    );
  }
  return lines;
}

function isWeekend(date: string, policy: Program['calendar']): boolean {
  return policy.weekend.includes(isoWeekday(date));
}

/** The program: as the build validated it when it is the default one, else read and validated now. */
async function programOf(file: string): Promise<Program> {
  return readPrebuiltProgram(file) ?? (await import('../../../domain/program/load-file')).loadProgramFile(file);
}

/** `kybao calendar`: a cycle year's rounds with every deadline, reminder and escalation, and the holidays. */
export async function calendar(opts: CalendarFlags): Promise<void> {
  const def = await programOf(opts.program);
  if (opts.year < def.period.firstYear || opts.year > def.period.lastYear)
    process.stderr.write(
      `note: ${opts.year} is outside the period ${def.period.firstYear}–${def.period.lastYear} of program "${def.id}"; its rules were applied anyway\n`,
    );
  if (opts.json) {
    const override = def.calendar.overrides.find((o) => o.year === opts.year);
    const output = {
      ...computeYearSchedule(def, opts.year),
      holidays: holidaysForYear(opts.year, def.calendar),
      workingWeekendDays: override?.workingDays ?? [],
      holidaySchedule: override ? { name: def.calendar.holidaySchedule ?? null, source: override.source ?? null, complete: override.replace !== undefined } : null,
    };
    process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  } else {
    process.stdout.write(renderTable(def, opts.year));
  }
}
