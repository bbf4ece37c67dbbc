import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { computeYearSchedule, holidayScheduleSchema, holidaysForYear, isWorkingDay, localDateOf, type CalendarPolicy } from '../../domain/calendar';
import { defaultProgramPath, holidaySchedulesDir, loadProgramFile, readProgramFile } from '../../domain/program/load-file';
import { parseProgram } from '../../domain/program';

/**
 * Issue #12, item 6: the shipped program follows the civil service's published holiday schedules
 * (prisma/calendars/vn-civil-service.yaml), not only the statutory computation. 2017 is the issue's
 * year: off Thu 26 Jan – Wed 1 Feb, where the computation gives Fri 27 Jan – Thu 2 Feb.
 */
const program = loadProgramFile();
const computedOnly: CalendarPolicy = { ...program.calendar, overrides: [] };
const ZONE = 'Asia/Ho_Chi_Minh';

describe('the published schedule that ships (vn-civil-service)', () => {
  const raw = parseYaml(readFileSync(join(holidaySchedulesDir, 'vn-civil-service.yaml'), 'utf8')) as unknown;
  const schedule = holidayScheduleSchema.parse(raw);

  test('covers the default program’s period and the current years, each with its source', () => {
    expect(schedule.years.map((y) => y.year)).toEqual([2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    for (const y of schedule.years) expect(y.source).toMatch(/\S{10,}/);
    // 2014–2025 are complete lists; 2026 adds what was verified to the computed year.
    expect(schedule.years.filter((y) => y.replace === undefined).map((y) => y.year)).toEqual([2026]);
  });

  test('the default program follows it: the overrides are the schedule’s years, named', () => {
    expect(program.calendar.holidaySchedule).toBe('vn-civil-service');
    expect(program.calendar.overrides.map((o) => o.year)).toEqual(schedule.years.map((y) => y.year));
  });

  test('2017: the published days off, and where they differ from the computed ones', () => {
    expect(holidaysForYear(2017, program.calendar).map((h) => `${h.date} ${h.name.en}`)).toEqual([
      "2017-01-01 New Year's Day",
      '2017-01-02 Compensatory day off',
      '2017-01-26 Lunar New Year (Tết)',
      '2017-01-27 Lunar New Year (Tết)',
      '2017-01-28 Lunar New Year (Tết)',
      '2017-01-29 Lunar New Year (Tết)',
      '2017-01-30 Lunar New Year (Tết)',
      '2017-01-31 Lunar New Year (Tết)',
      '2017-02-01 Lunar New Year (Tết)',
      "2017-04-06 Hùng Kings' Commemoration Day",
      '2017-04-30 Reunification Day',
      '2017-05-01 International Labour Day',
      '2017-05-02 Compensatory day off',
      '2017-09-02 National Day',
      '2017-09-04 Compensatory day off',
    ]);
    // Computed: Tết is the last day of the old year and mùng 1–4, 27–31 Jan, with 1–2 Feb for the weekend.
    expect(holidaysForYear(2017, computedOnly).filter((h) => h.date < '2017-02-10').map((h) => h.date)).toEqual([
      '2017-01-01', '2017-01-02', '2017-01-27', '2017-01-28', '2017-01-29', '2017-01-30', '2017-01-31', '2017-02-01', '2017-02-02',
    ]);
    expect([isWorkingDay('2017-01-26', program.calendar), isWorkingDay('2017-01-26', computedOnly)]).toEqual([false, true]);
    expect([isWorkingDay('2017-02-02', program.calendar), isWorkingDay('2017-02-02', computedOnly)]).toEqual([true, false]);
  });

  test('swapped days: a weekday off and a Saturday worked, even across the new year (2 Jan 2015 for 27 Dec 2014)', () => {
    expect(isWorkingDay('2015-01-02', program.calendar)).toBe(false);
    expect(isWorkingDay('2014-12-27', program.calendar)).toBe(true); // a Saturday
    expect(isWorkingDay('2019-04-29', program.calendar)).toBe(false);
    expect(isWorkingDay('2019-05-04', program.calendar)).toBe(true);
    expect(isWorkingDay('2026-01-02', program.calendar)).toBe(false);
    expect(isWorkingDay('2026-01-10', program.calendar)).toBe(true);
    // 2026 is partial: the computed Hùng Kings' Day (Sun 26 Apr) still gives Monday 27 Apr off.
    expect(isWorkingDay('2026-04-27', program.calendar)).toBe(false);
  });

  test('a year without a published schedule (2027) is computed', () => {
    expect(holidaysForYear(2027, program.calendar)).toEqual(holidaysForYear(2027, computedOnly));
    expect(holidaysForYear(2027, program.calendar).every((h) => h.kind !== 'scheduled')).toBe(true);
  });

  test('every reminder and escalation of every round, 2014–2027, falls on a working day of the published calendar', () => {
    for (let year = 2014; year <= 2027; year++) {
      for (const round of computeYearSchedule(program, year).rounds) {
        for (const n of [...round.reminders, ...round.escalations]) {
          const day = localDateOf(n.atMs, ZONE);
          if (!isWorkingDay(day, program.calendar)) throw new Error(`${round.roundKey}: ${n.at} is on ${day}, a day off`);
        }
      }
    }
  });
});

describe('the 2017 approval round (due before 1 February 2017)', () => {
  const approval = (p = program) => computeYearSchedule(p, 2017).rounds.find((r) => r.roundKey === '2017-approval')!;

  test('reminders and escalations fall on working days, at the exact instants', () => {
    const r = approval();
    expect(r.deadline).toBe('2017-02-01T00:00:00+07:00');
    expect(r.lastDay).toBe('2017-01-31');
    expect(r.reminders.map((x) => [x.offsetWorkingDays, x.at])).toEqual([
      [7, '2017-01-17T08:00:00+07:00'],
      [3, '2017-01-23T08:00:00+07:00'],
      [1, '2017-01-25T08:00:00+07:00'],
    ]);
    expect(r.escalations.map((x) => [x.step, x.at])).toEqual([
      [1, '2017-02-02T08:00:00+07:00'],
      [2, '2017-02-06T08:00:00+07:00'],
    ]);
  });

  test('with the computed calendar alone, the last reminder was on Thu 26 Jan 2017, a day off (the issue)', () => {
    const parsed = parseProgram({ ...JSON.parse(JSON.stringify(program)), calendar: { ...program.calendar, overrides: [] } });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const r = approval(parsed.program);
    expect(r.reminders.map((x) => x.at)).toEqual(['2017-01-18T08:00:00+07:00', '2017-01-24T08:00:00+07:00', '2017-01-26T08:00:00+07:00']);
    expect(r.escalations.map((x) => x.at)).toEqual(['2017-02-03T08:00:00+07:00', '2017-02-07T08:00:00+07:00']);
    expect(isWorkingDay('2017-01-26', program.calendar)).toBe(false);
  });
});

describe('schedule files and the program that names one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kybao-schedule-'));
  const programText = readFileSync(defaultProgramPath, 'utf8');

  test('a path relative to the program file; a year the program overrides itself keeps the program’s version', () => {
    writeFileSync(
      join(dir, 'province.yaml'),
      [
        'id: province-extra',
        'title: { vi: Lịch nghỉ của tỉnh, en: Province schedule }',
        'appliesTo: { vi: Cơ quan của tỉnh, en: Provincial bodies }',
        'years:',
        '  - year: 2017',
        '    source: Quyết định thử',
        '    replace: [{ date: 2017-01-25, to: 2017-02-03, name: { vi: Tết, en: Tết } }]',
        '    workingDays: [2017-02-11]',
        '  - year: 2018',
        '    source: Quyết định thử 2',
        '    add: [{ date: 2018-03-08 }]',
      ].join('\n'),
    );
    const file = join(dir, 'program.yaml');
    writeFileSync(
      file,
      programText
        .replace('holidaySchedule: vn-civil-service', 'holidaySchedule: ./province.yaml')
        .replace('  overrides: []', '  overrides:\n    - { year: 2018, source: the program itself, add: [{ date: 2018-03-09 }] }'),
    );
    const p = loadProgramFile(file);
    expect(p.calendar.overrides.map((o) => [o.year, o.source])).toEqual([
      [2018, 'the program itself'],
      [2017, 'Quyết định thử'],
    ]);
    expect(holidaysForYear(2017, p.calendar).map((h) => h.date)).toEqual(['2017-01-25', '2017-01-26', '2017-01-27', '2017-01-28', '2017-01-29', '2017-01-30', '2017-01-31', '2017-02-01', '2017-02-02', '2017-02-03']);
    expect(isWorkingDay('2017-02-11', p.calendar)).toBe(true);
    expect(isWorkingDay('2018-03-09', p.calendar)).toBe(false);
    expect(isWorkingDay('2018-03-08', p.calendar)).toBe(true);
  });

  test('an unknown schedule name says which ones ship', () => {
    const file = join(dir, 'unknown.yaml');
    writeFileSync(file, programText.replace('holidaySchedule: vn-civil-service', 'holidaySchedule: vn-civil-servise'));
    expect(readProgramFile(file)).toEqual({
      ok: false,
      problems: [
        `calendar.holidaySchedule: "vn-civil-servise": ${join(holidaySchedulesDir, 'vn-civil-servise.yaml')}: no such file; check the path; the schedules that ship with kybao are: vn-civil-service`,
      ],
    });
  });

  test('a bad schedule file: each problem with the file and its path in it', () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      [
        'id: bad',
        'title: { vi: x, en: x }',
        'appliesTo: { vi: x, en: x }',
        'years:',
        '  - { year: 2017, replace: [{ date: 2017-02-01, to: 2017-01-26 }], workingDays: [2017-02-01] }',
        '  - { year: 2017, add: [{ date: 2017-12-30, to: 2018-01-02 }] }',
        '  - { year: 2019, remove: [2019-02-30], working: [2019-01-05] }',
      ].join('\n'),
    );
    const file = join(dir, 'bad-program.yaml');
    writeFileSync(file, programText.replace('holidaySchedule: vn-civil-service', 'holidaySchedule: bad.yaml'));
    const where = `calendar.holidaySchedule: ${join(dir, 'bad.yaml')}`;
    expect(readProgramFile(file)).toEqual({
      ok: false,
      problems: [
        `${where}: years[0].replace[0].to: the run ends before it starts; "to" must be on or after "date" (2017-02-01)`,
        `${where}: years[0].workingDays[0]: 2017-02-01 is also listed as a day off; a day is either off or worked`,
        `${where}: years[1].add[0].to: 2018-01-02 is not in 2017; move it to the override for its own year`,
        `${where}: years[2].remove[0]: "2019-02-30" is not a calendar date; write YYYY-MM-DD, e.g. 2015-09-03`,
        `${where}: years[2].working: unknown field; did you mean "workingDays"? (fields are case-sensitive)`,
        `${where}: years[1].year: 2017 is listed twice (also years[0]); merge the two`,
      ],
    });
  });
});
