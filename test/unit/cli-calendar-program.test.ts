import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const kybao = join(root, 'bin/kybao');
const defaultFile = join(root, 'prisma/programs/decision-925.yaml');

function run(...args: string[]) {
  // A zone far from Vietnam proves the output does not depend on the machine's local time.
  const r = spawnSync(kybao, args, { encoding: 'utf8', env: { ...process.env, TZ: 'America/Los_Angeles' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kybao program validate', () => {
  test('a good file: one ok line, exit 0', () => {
    const r = run('program', 'validate', defaultFile);
    expect(r.stdout).toBe(`${defaultFile}: ok (27 units, 17 tasks, 2014–2020)\n`);
    expect(r.code).toBe(0);
  });

  test('a bad file: every problem on its own line with the file and path, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kybao-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'id: demo',
        'title: { vi: Thử, en: Demo }',
        'period: { firstYear: 2014, lastYear: 2020 }',
        'units:',
        '  - { id: a, category: department, name: { vi: A, en: A }, contact: { email: bad }, head: { email: h@a.example } }',
        'coordinator: a',
        'appraiser: so-xyz',
        'approvingAuthority: a',
        'tasks:',
        '  - { number: 1, title: { vi: t, en: t }, lead: ghost }',
      ].join('\n'),
    );
    const r = run('program', 'validate', file);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${file}: units\\[0\\]\\.contact\\.email: invalid e-mail "bad"`)),
        `${file}: appraiser: unknown unit "so-xyz"; use the id of one of the units`,
        expect.stringMatching(new RegExp(`^${file}: tasks\\[0\\]\\.lead: unknown unit "ghost"`)),
        `${file}: 3 problem(s); fix them and validate again`,
      ]),
    );
  });

  test('the issue’s inputs: a year of .inf and of 2014.5 are named in words, with what to write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kybao-cli-'));
    const file = join(dir, 'years.yaml');
    writeFileSync(file, readFileSync(defaultFile, 'utf8').replace('firstYear: 2014', 'firstYear: .inf').replace('lastYear: 2020', 'lastYear: 2014.5'));
    const r = run('program', 'validate', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        `${file}: period.firstYear: must be a finite year (a year like 2014), got .inf (infinity)`,
        `${file}: period.lastYear: must be a whole number (a year like 2014), got 2014.5`,
        `${file}: 2 problem(s); fix them and validate again`,
        '',
      ].join('\n'),
    );
  });

  test('a missing file: exit 2', () => {
    const r = run('program', 'validate', '/nonexistent/program.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/program.yaml: no such file');
  });

  test('--help describes the command', () => {
    const r = run('program', 'validate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Check a program definition file/);
  });
});

describe('kybao calendar', () => {
  test('--json prints the year with +07:00 instants', () => {
    const r = run('calendar', '--year', '2015', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    const q1 = out.rounds.find((x: { roundKey: string }) => x.roundKey === '2015-Q1');
    expect(q1.deadline).toBe('2015-03-25T00:00:00+07:00');
    expect(q1.reminders.map((x: { at: string }) => x.at)).toEqual([
      '2015-03-16T08:00:00+07:00',
      '2015-03-20T08:00:00+07:00',
      '2015-03-24T08:00:00+07:00',
    ]);
    expect(out.rounds.find((x: { roundKey: string }) => x.roundKey === '2015-Q4').deadline).toBe('2015-12-25T00:00:00+07:00');
    expect(out.holidays.map((h: { date: string }) => h.date)).toContain('2015-02-19');
  });

  test('the table shows local times with weekdays', () => {
    const r = run('calendar', '--year', '2015');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Wed 2015-03-25 00:00  DEADLINE (last day to submit: Tue 2015-03-24)');
    expect(r.stdout).toContain('Tue 2015-03-24 08:00  reminder, 1 working day before');
  });

  test('2017 shows the published schedule with its source and marks where it differs from the computed one', () => {
    const r = run('calendar', '--year', '2017');
    expect(r.code).toBe(0);
    const days = r.stdout.slice(r.stdout.indexOf('Days off in 2017'));
    expect(days.split('\n').slice(0, 3)).toEqual([
      'Days off in 2017 besides weekends (15), by the published schedule (vn-civil-service):',
      expect.stringMatching(/^ {4}source: Công văn 9794\/VPCP-KGVX ngày 14\/11\/2016 của Văn phòng Chính phủ/),
      "    Sun 2017-01-01  Tết Dương lịch / New Year's Day",
    ]);
    expect(days).toContain('    Thu 2017-01-26  Tết Nguyên đán / Lunar New Year (Tết)  ≠ computed: a working day\n');
    expect(days).toContain('    Wed 2017-02-01  Tết Nguyên đán / Lunar New Year (Tết)\n');
    expect(days).toContain(
      [
        'Where the published schedule differs from the computed one (2 days):',
        '    Thu 2017-01-26  day off (computed: working day)',
        '    Thu 2017-02-02  working day (computed: Compensatory day off)',
        '',
      ].join('\n'),
    );
    // The approval round's notices, on working days of that schedule.
    expect(r.stdout).toContain('    Wed 2017-01-25 08:00  reminder, 1 working day before\n    Wed 2017-02-01 00:00  DEADLINE (last day to submit: Tue 2017-01-31)\n    Thu 2017-02-02 08:00  escalation 1');
    const json = JSON.parse(run('calendar', '--year', '2019', '--json').stdout) as { workingWeekendDays: string[]; holidaySchedule: { name: string; complete: boolean } };
    expect(json.workingWeekendDays).toEqual(['2019-01-05', '2019-05-04']);
    expect(json.holidaySchedule).toMatchObject({ name: 'vn-civil-service', complete: true });
  });

  test('a year without a published schedule says it is computed', () => {
    const r = run('calendar', '--year', '2027');
    expect(r.stdout).toContain('Days off in 2027 besides weekends (14), computed from the statutory rules (no published schedule for 2027):');
    expect(r.stdout).not.toContain('differs from the computed one');
  });

  test('a year outside the program period works, with a note on stderr', () => {
    const r = run('calendar', '--year', '2024', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2024 is outside the period 2014–2020/);
    expect(JSON.parse(r.stdout).inPeriod).toBe(false);
  });

  test('a bad --year is refused with the reason', () => {
    const r = run('calendar', '--year', '15');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/"15" is not a year/);
  });
});
