import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { duration, percent, timing, vnd, when } from '../../domain/text/format';
import { buildMailContext, checkMailTemplates, renderMail, sampleMailInput } from '../../activities/mail/render';
import { DEFAULT_TEMPLATES_DIR, LANGUAGES, MailTemplateError, TEMPLATE_NAMES, loadMailTemplates } from '../../activities/mail/templates';
import { loadProgramFile } from '../../domain/program/load-file';

const program = loadProgramFile();
const templates = loadMailTemplates();

/** A copy of the shipped templates that a test may break. */
function copyTemplates(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-templates-'));
  cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
  return dir;
}

describe('every template, in both languages, with a full sample context', () => {
  test.each(TEMPLATE_NAMES.flatMap((name) => LANGUAGES.map((lang) => [name, lang] as const)))('%s (%s) renders a subject, a text and an HTML part', (name, lang) => {
    const input = sampleMailInput(name, lang, program);
    const mail = renderMail(templates, input);
    expect(mail.subject).toMatch(/^\[kybao\] \S/);
    expect(mail.subject).not.toMatch(/\n/);
    for (const part of [mail.subject, mail.text, mail.html]) {
      // strict mode keeps holes out; these would be the marks of a value rendered from nothing
      expect(part).not.toMatch(/undefined|\bnull\b|\[object Object\]|\{\{|\}\}/);
    }
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.html).toContain(`lang="${lang}"`);
    // the round, the link, and (for per-unit mails) the unit
    const ctx = buildMailContext(input, templates.labels(lang));
    expect(mail.text).toContain(ctx.link);
    expect(mail.html).toContain(ctx.link.replace(/&/g, '&amp;'));
    if (ctx.unit) expect(mail.text).toContain(ctx.unit.name);
    if (name !== 'compilation' && !name.startsWith('estimate') && name !== 'appraisal-summary' && name !== 'plan-approved') {
      expect(mail.text + mail.subject).toContain(ctx.round.title);
    }
    // the deadline as a local date and time with its weekday, and the time left or overdue
    if (ctx.due) {
      expect(mail.text).toContain(ctx.due.dateTime);
      expect(mail.text).toContain(ctx.due.weekday);
      expect(mail.text).toMatch(lang === 'vi' ? /còn lại|quá hạn|trước hạn|sau hạn|sau thời hạn/i : /left|overdue|ahead of the deadline|after the deadline/i);
    }
    if (lang === 'vi') expect(mail.text).toContain('Kính gửi:');
    else expect(mail.text).toContain('To:');
  });

  test('the shipped templates pass the start-up check', () => {
    expect(checkMailTemplates(templates, program)).toEqual([]);
  });

  test('a reminder on the last day says so; earlier ones count the working days left', () => {
    const last = renderMail(templates, sampleMailInput('reminder', 'vi', program));
    expect(last.subject).toBe('[kybao] Hôm nay, thứ Ba 24/3/2015, là ngày cuối cùng nộp báo cáo: Báo cáo đánh giá tình hình thực hiện quý I/2015');
    expect(last.text).toContain('Hôm nay, Thứ Ba, 24/03/2015, là ngày cuối cùng để Văn phòng Ủy ban nhân dân tỉnh nộp báo cáo');
    expect(last.text).toContain('Hạn nộp: trước 00:00 Thứ Tư, 25/03/2015 (ngày cuối cùng: Thứ Ba, 24/03/2015)');
    expect(last.text).toContain('Thời gian còn lại: 16 giờ');
    const early = renderMail(templates, { ...sampleMailInput('reminder', 'en', program), step: 3, at: '2015-03-19T01:00:00.000Z' });
    expect(early.subject).toBe('[kybao] Reminder: report due in 3 working days: Implementation report, Q1 2015 (last day: Tue 24 Mar 2015)');
    expect(early.text).toContain('It is due in 3 working days.');
    expect(early.text).toContain('Deadline: before 00:00, Wednesday 25 March 2015 (last day: Tuesday 24 March 2015)');
    expect(early.text).toContain('Time left: 5 days 16 hours');
  });

  test('HTML escapes values, text does not', () => {
    const input = sampleMailInput('extended', 'en', program);
    input.extension = { ...input.extension!, reason: 'Q1 <data> & "figures"' };
    const mail = renderMail(templates, input);
    expect(mail.text).toContain('Reason: Q1 <data> & "figures"');
    expect(mail.html).toContain('Q1 &lt;data&gt; &amp; &quot;figures&quot;');
  });
});

describe('a template that asks for a variable the context does not have fails loudly', () => {
  let dir: string;
  beforeEach(() => {
    dir = copyTemplates();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a misspelt variable throws, naming the file, the line and the variable', () => {
    const file = path.join(dir, 'vi', 'reminder.text.hbs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{{unit.name}}', '{{unit.nmae}}'));
    const broken = loadMailTemplates(dir);
    const render = () => renderMail(broken, sampleMailInput('reminder', 'vi', program));
    expect(render).toThrow(MailTemplateError);
    expect(render).toThrow(/vi\/reminder\.text\.hbs: "nmae" not defined in .* - \d+:\d+/);
    // the start-up check reports it too, and only it
    expect(checkMailTemplates(broken, program)).toEqual([expect.stringMatching(/vi\/reminder\.text\.hbs: "nmae" not defined/)]);
  });

  test('a variable of another kind (here: the estimate in a reminder) throws', () => {
    const file = path.join(dir, 'en', 'reminder.subject.hbs');
    writeFileSync(file, '[kybao] {{estimate.amount}}\n');
    expect(() => renderMail(loadMailTemplates(dir), sampleMailInput('reminder', 'en', program))).toThrow(/en\/reminder\.subject\.hbs: "amount" not defined in null/);
  });

  test('a misspelt condition or list in a block helper throws instead of hiding a paragraph', () => {
    const file = path.join(dir, 'vi', 'extended.text.hbs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{{#if extension.reason}}', '{{#if extension.reasons}}'));
    expect(() => renderMail(loadMailTemplates(dir), sampleMailInput('extended', 'vi', program))).toThrow(/vi\/extended\.text\.hbs: the argument of \{\{#if\}\} is not defined/);
    const list = path.join(dir, 'en', 'closed.html.hbs');
    writeFileSync(list, readFileSync(list, 'utf8').replace('{{#each units}}', '{{#each unit}}').replace('{{#each unit}}', '{{#each unitz}}'));
    expect(() => renderMail(loadMailTemplates(dir), sampleMailInput('closed', 'en', program))).toThrow(/the argument of \{\{#each\}\} is not defined/);
  });

  test('a missing template file, a syntax error or a missing label stops loading', () => {
    rmSync(path.join(dir, 'en', 'overdue.html.hbs'));
    expect(() => loadMailTemplates(dir)).toThrow(/en\/overdue\.html\.hbs is missing/);
    cpSync(path.join(DEFAULT_TEMPLATES_DIR, 'en', 'overdue.html.hbs'), path.join(dir, 'en', 'overdue.html.hbs'));
    writeFileSync(path.join(dir, 'vi', 'opened.subject.hbs'), '{{#if round.title}}unclosed');
    expect(() => loadMailTemplates(dir)).toThrow(/vi\/opened\.subject\.hbs: Parse error/);
    cpSync(path.join(DEFAULT_TEMPLATES_DIR, 'vi', 'opened.subject.hbs'), path.join(dir, 'vi', 'opened.subject.hbs'));
    const labels = JSON.parse(readFileSync(path.join(dir, 'vi', 'labels.json'), 'utf8'));
    delete labels.status.late;
    writeFileSync(path.join(dir, 'vi', 'labels.json'), JSON.stringify(labels));
    expect(() => loadMailTemplates(dir)).toThrow(/vi\/labels\.json: status\.late/);
  });
});

describe('dates, durations and amounts', () => {
  test('Vietnamese weekday names for a whole week, in the program zone whatever the machine zone', () => {
    // Monday 23 March 2015 .. Sunday 29 March 2015, 08:00 in Hanoi = 01:00Z
    const names = Array.from({ length: 7 }, (_, i) => when(new Date(Date.UTC(2015, 2, 23 + i, 1)), 'Asia/Ho_Chi_Minh', 'vi').weekday);
    expect(names).toEqual(['Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy', 'Chủ Nhật']);
    // 17:00Z on the 24th is already 00:00 on the 25th in Hanoi
    const due = when('2015-03-24T17:00:00.000Z', 'Asia/Ho_Chi_Minh', 'vi');
    expect(due).toMatchObject({ dateTime: '00:00 Thứ Tư, 25/03/2015', lastDay: 'Thứ Ba, 24/03/2015', iso: '2015-03-25T00:00:00.000+07:00' });
    expect(when('2015-03-24T17:00:00.000Z', 'Asia/Ho_Chi_Minh', 'en')).toMatchObject({ dateTime: '00:00, Wednesday 25 March 2015', lastDay: 'Tuesday 24 March 2015' });
    expect(when('2015-03-24T10:30:00.000Z', 'Asia/Ho_Chi_Minh', 'vi').lastDay).toBe('Thứ Ba, 24/03/2015');
  });

  test('time left and overdue', () => {
    expect(timing('2015-03-20T01:00:00Z', '2015-03-24T17:00:00Z', 'vi')).toEqual({ overdue: false, text: 'còn 4 ngày 16 giờ', span: '4 ngày 16 giờ' });
    expect(timing('2015-03-26T01:00:00Z', '2015-03-24T17:00:00Z', 'en')).toEqual({ overdue: true, text: 'overdue by 1 day 8 hours', span: '1 day 8 hours' });
    expect(duration(90 * 60_000, 'en')).toBe('1 hour 30 minutes');
    expect(duration(30_000, 'vi')).toBe('dưới 1 phút');
  });

  test('money and rates', () => {
    expect(vnd('1250000000', 'vi')).toBe('1.250.000.000 đồng');
    expect(vnd('1250000000', 'en')).toBe('VND 1,250,000,000');
    expect(percent(2 / 3, 'vi')).toBe('66,7%');
    expect(percent(0.5, 'en')).toBe('50%');
  });
});
