import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProgramFile } from '../../domain/program/load-file';

/**
 * Issue #12, item 5: every message of `kybao program validate` names the path and the problem in words a
 * program author understands, with what to write instead. Each row is a small YAML program with one
 * fault, read from a file as the command reads it, and the exact list of problems it gives.
 */
const BASE = `id: demo
title: { vi: Chương trình thử, en: Demo program }
period: { firstYear: 2014, lastYear: 2020 }
units:
  - { id: coord, category: department, name: { vi: Sở A, en: Dept A }, contact: { email: a@demo.example }, head: { email: ha@demo.example } }
  - { id: fin, category: department, name: { vi: Sở B, en: Dept B }, contact: { email: b@demo.example }, head: { email: hb@demo.example } }
coordinator: coord
appraiser: fin
approvingAuthority: coord
`;
const dir = mkdtempSync(join(tmpdir(), 'kybao-messages-'));
let n = 0;

function problemsOf(yaml: string): string[] {
  const file = join(dir, `case-${++n}.yaml`);
  writeFileSync(file, yaml);
  const r = readProgramFile(file);
  return r.ok ? [] : r.problems;
}

/** The base program with `from` replaced by `to` (which must change it). */
function variant(from: string | RegExp, to: string): string {
  const text = BASE.replace(from, to);
  if (text === BASE) throw new Error(`the test case did not change the program: ${String(from)}`);
  return text;
}
const appended = (yaml: string) => variant('approvingAuthority: coord\n', `approvingAuthority: coord\n${yaml}\n`);

test('the base program is valid', () => {
  expect(problemsOf(BASE)).toEqual([]);
});

describe.each<[string, string, string[]]>([
  // Numbers, as YAML writes them: the two inputs first.
  ['a year of .inf', variant('firstYear: 2014', 'firstYear: .inf'), ['period.firstYear: must be a finite year (a year like 2014), got .inf (infinity)']],
  ['a year of 2014.5', variant('firstYear: 2014', 'firstYear: 2014.5'), ['period.firstYear: must be a whole number (a year like 2014), got 2014.5']],
  ['a year of .nan', variant('lastYear: 2020', 'lastYear: .nan'), ['period.lastYear: must be a finite year (a year like 2014), got .nan (not a number)']],
  ['a year in quotes', variant('firstYear: 2014', 'firstYear: "2014"'), ['period.firstYear: must be a year written as a number (like 2014), got the text "2014"; remove the quotes']],
  ['a year out of range', variant('firstYear: 2014', 'firstYear: 1800'), ['period.firstYear: must be a year from 1900 to 2200, got 1800']],
  ['a year of 2e20 (one message, not two)', variant('lastYear: 2020', 'lastYear: 2e20'), ['period.lastYear: must be a year from 1900 to 2200, got 200000000000000000000']],
  ['working days of 1.5 and 0', appended('reminders: { offsetsWorkingDays: [7, 1.5, 0] }'), [
    'reminders.offsetsWorkingDays[1]: must be a whole number of working days, at least 1 (like 3), got 1.5',
    'reminders.offsetsWorkingDays[2]: must be a whole number of working days, at least 1 (like 3), got 0',
  ]],
  ['a weekday of 8', appended('calendar: { weekend: [6, 8] }'), ['calendar.weekend[1]: must be a weekday number, 1 (Monday) … 7 (Sunday), got 8']],
  ['task number 0 and an unknown timing', appended('tasks: [{ number: 0, title: { vi: a, en: a }, lead: coord, timing: weekly }]'), [
    "tasks[0].number: tasks are numbered from 1, as in the decision's table; got 0",
    'tasks[0].timing: must be one of yearly, quarterly, monthly, ad-hoc, once; got the text "weekly"',
  ]],
  ['month 13 (the day is not blamed for it)', appended('rounds: { approval: { due: { month: 13, day: 1 } }, quarterly: { day: 30 } }'), [
    'rounds.approval.due.month: must be at most 12, got 13',
    'rounds.quarterly.day: must be a day that exists in every month (1–28), got 30',
  ]],
  // Wrong types.
  ['text for a bilingual name', variant('title: { vi: Chương trình thử, en: Demo program }', 'title: Demo program'), [
    'title: must give the text in both languages, e.g. { vi: Sở Nội vụ, en: Department of Home Affairs }, got the text "Demo program"',
  ]],
  ['text for a list (and no cascade of unknown units)', variant(/units:\n( {2}- .*\n)+/, 'units: none\n'), ['units: must be a list (one "- item" per line, or [a, b]), got the text "none"']],
  ['an empty list item', variant('units:\n', 'units:\n  -\n'), ['units[0]: must be a mapping (indented "key: value" lines, or { key: value }), got nothing (an empty value)']],
  ['yes for true/false', variant('category: department, name: { vi: Sở A', 'category: department, reports: yes, name: { vi: Sở A'), ['units[0].reports: must be true or false, got the text "yes"']],
  ['a number for an id', variant('coordinator: coord', 'coordinator: 7'), ['coordinator: must be an id like "so-tttt" (lower-case letters, digits, hyphens), got 7']],
  ['times of day', appended('reminders: { at: 8h }\nescalation: { at: 8 }'), [
    'reminders.at: "8h" is not a time of day; write HH:mm, e.g. 08:00',
    'escalation.at: must be a time of day written HH:mm (e.g. 08:00), got 8',
  ]],
  // Missing fields and unknown keys.
  ['a missing section', variant('period: { firstYear: 2014, lastYear: 2020 }\n', ''), ['period: missing; add this required section']],
  ['a missing field', variant('coordinator: coord\n', ''), ['coordinator: missing; add this required field']],
  ['a misspelt key', variant('contact: { email: a@demo.example }', 'contakt: { email: a@demo.example }'), [
    'units[0].contact: missing; add this required section',
    'units[0].contakt: unknown field; did you mean "contact"? (fields are case-sensitive)',
  ]],
  ['a key in the wrong case', variant('appraiser: fin', 'Appraiser: fin'), [
    'appraiser: missing; add this required field',
    'Appraiser: unknown field; did you mean "appraiser"? (fields are case-sensitive)',
  ]],
  ['a key nothing resembles', appended('colour: red'), [
    'colour: unknown field; remove it, or use one of: id, title, source, period, timeZone, units, groups, coordinator, appraiser, approvingAuthority, escalationRecipients, recipientsAbove, tasks, calendar, reviews, rounds, reminders, escalation, forms, compilation',
  ]],
  // Dates, e-mails, enumerations, zones.
  ['bad dates', appended('calendar: { overrides: [{ year: 2015, add: [{ date: 2015-02-30 }], workingDays: [20150228] }] }'), [
    'calendar.overrides[0].add[0].date: "2015-02-30" is not a calendar date; write YYYY-MM-DD, e.g. 2015-09-03',
    'calendar.overrides[0].workingDays[0]: must be a date written YYYY-MM-DD (e.g. 2015-09-03), got 20150228',
  ]],
  ['a date outside its override’s year', appended('calendar: { overrides: [{ year: 2015, workingDays: [2016-02-27] }] }'), ['calendar.overrides[0].workingDays[0]: 2016-02-27 is not in 2015; move it to the override for its own year']],
  ['a bad e-mail', variant('a@demo.example', 'a(at)demo.example'), ['units[0].contact.email: invalid e-mail "a(at)demo.example"; write name@domain, e.g. contact.so-tttt@thaibinh.example']],
  ['a number for an e-mail', variant('{ email: a@demo.example }', '{ email: 42 }'), ['units[0].contact.email: must be an e-mail address (name@domain, e.g. contact.so-tttt@thaibinh.example), got 42']],
  ['an unknown category', variant('id: fin, category: department', 'id: fin, category: agency'), ['units[1].category: must be one of department, district, socio-political, press, other; got the text "agency"']],
  ['an unknown time zone', appended('timeZone: Hanoi'), ['timeZone: unknown time zone "Hanoi"; use an IANA name such as Asia/Ho_Chi_Minh']],
  // Ids and references.
  ['a duplicate unit id', variant('id: fin,', 'id: coord,'), [
    'units[1].id: duplicate unit id "coord" (also units[0]); give each unit its own id',
    'appraiser: unknown unit "fin"; use the id of one of the units',
  ]],
  ['a reference with a typo', variant('appraiser: fin', 'appraiser: fim'), ['appraiser: unknown unit "fim"; did you mean "fin"?']],
  ['a lead that is neither unit nor group', appended('tasks: [{ number: 1, title: { vi: a, en: a }, lead: ghost }]'), ['tasks[0].lead: unknown unit "ghost" (no unit or group has this id); use a unit id or a group id']],
  ['a group member with a typo', appended('groups: [{ id: g, name: { vi: g, en: g }, units: [cord] }]'), ['groups[0].units[0]: unknown unit "cord"; did you mean "coord"?']],
  ['escalation recipients of the wrong shape', appended('escalationRecipients: [{ mail: x@demo.example }, cord]'), [
    'escalationRecipients[0]: must be a unit id (e.g. van-phong-ubnd) or a mailbox { name: …, email: … }, got a mapping (with mail)',
    'escalationRecipients[1]: unknown unit "cord"; did you mean "coord"?',
  ]],
])('%s', (_label, yaml, expected) => {
  test('gives exactly these problems', () => {
    const problems = problemsOf(yaml);
    expect(problems).toEqual(expected);
    // zod's own wording never reaches an author.
    for (const p of problems) expect(p).not.toMatch(/expected a |Invalid input|received|got number Infinity|\bint\b/);
  });
});
