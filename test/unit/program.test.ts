import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProgram, reportingUnits, unitsOf, escalationMailboxes } from '../../domain/program';
import { defaultProgramPath, loadProgramFile, ProgramFileError, readProgramFile } from '../../domain/program/load-file';

const minimal = {
  id: 'demo',
  title: { vi: 'Chương trình thử', en: 'Demo program' },
  period: { firstYear: 2014, lastYear: 2020 },
  units: [
    { id: 'coord', category: 'department', name: { vi: 'Sở A', en: 'Dept A' }, contact: { email: 'a@demo.example' }, head: { email: 'ha@demo.example' } },
    { id: 'fin', category: 'department', name: { vi: 'Sở B', en: 'Dept B' }, contact: { email: 'b@demo.example' }, head: { email: 'hb@demo.example' } },
  ],
  coordinator: 'coord',
  appraiser: 'fin',
  approvingAuthority: 'coord',
};

describe('the default program (Decision 925/QĐ-UBND)', () => {
  const program = loadProgramFile(defaultProgramPath);

  test('validates, with every unit the decision names and the 17 focal tasks', () => {
    expect(program.id).toBe('qd-925-thai-binh');
    expect(program.period).toEqual({ firstYear: 2014, lastYear: 2020 });
    expect(program.tasks.map((t) => t.number)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    const byCategory = (c: string) => program.units.filter((u) => u.category === c).length;
    expect(byCategory('district')).toBe(8);
    expect(byCategory('press')).toBe(2);
    expect(byCategory('socio-political')).toBe(6);
    expect(byCategory('department')).toBe(10);
    expect(program.coordinator).toBe('so-tttt');
    expect(program.appraiser).toBe('so-tai-chinh');
    expect(program.reviews).toEqual({ preliminaryYears: [2017], finalYear: 2020 });
  });

  test('leads and coordinating units match the decision’s table', () => {
    const task = (n: number) => program.tasks.find((t) => t.number === n);
    expect(task(5)).toMatchObject({ lead: 'van-phong-ubnd', coordinating: ['so-tttt', 'cong-an-tinh'] });
    expect(task(8)?.lead).toBe('so-khdt');
    expect(task(12)).toMatchObject({ lead: 'ubnd-huyen-thanh-pho', coordinating: ['so-tttt', 'van-phong-ubnd', 'so-vhttdl', 'so-khdt'] });
    expect(task(16)?.lead).toBe('so-tai-chinh');
    expect(task(17)?.lead).toBe('cong-an-tinh');
    expect(unitsOf(program, 'ubnd-huyen-thanh-pho').map((u) => u.name.vi)).toContain('Ủy ban nhân dân huyện Quỳnh Phụ');
    expect(unitsOf(program, 'co-quan-bao-chi').map((u) => u.id)).toEqual(['bao-thai-binh', 'dai-ptth']);
  });

  test('mailboxes are on a reserved example domain', () => {
    for (const u of program.units) {
      expect(u.contact.email).toMatch(/\.example$/);
      expect(u.head.email).toMatch(/\.example$/);
    }
    expect(escalationMailboxes(program).map((m) => m.email)).toEqual(['contact.van-phong-ubnd@thaibinh.example']);
    expect(reportingUnits(program).map((u) => u.id)).not.toContain('ubnd-tinh');
  });
});

describe('parseProgram', () => {
  test('a minimal program gets the documented defaults', () => {
    const r = parseProgram(minimal);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const p = r.program;
    expect(p.timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(p.units[0]?.language).toBe('vi');
    expect(p.reminders).toEqual({ offsetsWorkingDays: [7, 3, 1], at: '08:00' });
    expect(p.escalation.steps).toEqual([
      { afterWorkingDays: 1, notify: ['head'] },
      { afterWorkingDays: 3, notify: ['coordinator', 'escalation-recipients'] },
    ]);
    expect(p.rounds.annualPlan.due).toEqual({ month: 12, day: 15, yearOffset: -1, cutoff: 'end-of-day' });
    expect(p.rounds.budgetAppraisal.due).toEqual({ month: 1, day: 15, yearOffset: 0, cutoff: 'end-of-day' });
    expect(p.rounds.approval.due).toEqual({ month: 1, day: 31, yearOffset: 0, cutoff: 'end-of-day' });
    expect(p.rounds.quarterly).toMatchObject({ monthOfQuarter: 3, day: 25, cutoff: 'start-of-day' });
    expect(p.calendar.deadlineOnNonWorkingDay).toBe('keep');
    expect(p.reviews).toEqual({ preliminaryYears: [], finalYear: 2020 });
  });

  test('lists every problem at once, each with its path', () => {
    const bad = structuredClone(minimal) as Record<string, unknown> & typeof minimal;
    bad.units.push(
      { id: 'x', category: 'department', name: { vi: 'X', en: 'X' }, contact: { email: 'x@demo.example' }, head: { email: 'hx@demo.example' } },
      { id: 'so-a', category: 'department', name: { vi: 'A', en: 'A' }, contact: { email: 'not-an-email' }, head: { email: 'h@demo.example' } },
      { id: 'x', category: 'agency', name: { vi: 'X', en: 'X' }, contact: { email: 'x2@demo.example' }, head: { email: 'hx2@demo.example' } },
    );
    Object.assign(bad, {
      appraiser: 'so-xyz',
      escalationRecipients: ['nobody'],
      tasks: [
        { number: 1, title: { vi: 'a', en: 'a' }, lead: 'coord' },
        { number: 2, title: { vi: 'b', en: 'b' }, lead: 'so-xyz', coordinating: ['fin', 'ghost'] },
      ],
      reviews: { preliminaryYears: [2012], finalYear: 2021 },
      reminders: { at: '25:00' },
      surprise: true,
    });
    const r = parseProgram(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^units\[3\]\.contact\.email: invalid e-mail/),
        expect.stringMatching(/^units\[4\]\.category: must be one of department, .*; got the text "agency"$/),
        expect.stringMatching(/^units\[4\]\.id: duplicate unit id "x" \(also units\[2\]\)/),
        expect.stringMatching(/^appraiser: unknown unit "so-xyz"/),
        expect.stringMatching(/^escalationRecipients\[0\]: unknown unit "nobody"/),
        expect.stringMatching(/^tasks\[1\]\.lead: unknown unit "so-xyz"/),
        expect.stringMatching(/^tasks\[1\]\.coordinating\[1\]: unknown unit "ghost"/),
        expect.stringMatching(/^reviews\.preliminaryYears\[0\]: 2012 is outside the program period 2014–2020/),
        expect.stringMatching(/^reviews\.finalYear: 2021 is outside/),
        expect.stringMatching(/^reminders\.at: "25:00" is not a time of day/),
        expect.stringMatching(/^surprise: unknown field; remove it, or use one of: id, title, source, period, /),
      ]),
    );
    expect(r.problems).toHaveLength(11);
  });

  test('missing sections and wrong shapes say what to write', () => {
    const r = parseProgram({ id: 'x', units: 'none' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        'title: missing; add this required section',
        'units: must be a list (one "- item" per line, or [a, b]), got the text "none"',
        'coordinator: missing; add this required field',
      ]),
    );
    expect(parseProgram(null)).toEqual({ ok: false, problems: ['(top level): must be a mapping (indented "key: value" lines, or { key: value }), got nothing (an empty value)'] });
  });

  test('groups: members must exist, ids must not clash with units', () => {
    const r = parseProgram({
      ...minimal,
      groups: [
        { id: 'coord', name: { vi: 'g', en: 'g' }, categories: ['district'] },
        { id: 'g2', name: { vi: 'g', en: 'g' }, units: ['ghost'] },
        { id: 'g3', name: { vi: 'g', en: 'g' } },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      'groups[2]: a group needs members: list categories and/or unit ids',
      'groups[0].id: group id "coord" is also a unit id (units[0]); rename one of them',
      'groups[1].units[0]: unknown unit "ghost"; use the id of one of the units',
    ]);
  });
});

describe('loadProgramFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kybao-program-'));

  test('reads JSON as well as YAML', () => {
    const file = join(dir, 'demo.json');
    writeFileSync(file, JSON.stringify(minimal));
    expect(loadProgramFile(file).id).toBe('demo');
  });

  test('a missing file, bad syntax or unknown extension is "unreadable", with the file name', () => {
    const missing = readProgramFile(join(dir, 'nope.yaml'));
    expect(missing).toEqual({ ok: false, unreadable: true, problems: [`${join(dir, 'nope.yaml')}: no such file; check the path`] });
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'id: [unclosed\n');
    expect(readProgramFile(broken)).toMatchObject({ ok: false, unreadable: true, problems: [expect.stringMatching(/not valid YAML/)] });
    const brokenJson = join(dir, 'broken.json');
    writeFileSync(brokenJson, '{"id": ');
    expect(readProgramFile(brokenJson)).toMatchObject({ ok: false, unreadable: true, problems: [expect.stringMatching(/not valid JSON/)] });
    expect(readProgramFile(join(dir, 'program.txt'))).toMatchObject({ problems: [expect.stringMatching(/use a \.yaml, \.yml or \.json file/)] });
  });

  test('an invalid file throws a ProgramFileError listing the problems', () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'id: demo\n');
    expect(() => loadProgramFile(file)).toThrow(ProgramFileError);
    expect(() => loadProgramFile(file)).toThrow(/invalid program definition:\n {2}title: missing/);
  });
});
