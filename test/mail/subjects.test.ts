import { DateTime } from 'luxon';
import { renderMail, sampleMailInput } from '../../activities/mail/render';
import { shortDay, when } from '../../domain/text/format';
import { LANGUAGES, TEMPLATE_NAMES, loadMailTemplates, type TemplateName } from '../../activities/mail/templates';
import { loadProgramFile } from '../../domain/program/load-file';

/**
 * Issue #12, item 7: a subject never names the deadline's calendar date alone ("hạn nộp 10/12/2026" for
 * a round due BEFORE 10 December reads as "the 10th is fine"); it names the last day, as the body does.
 */
const program = loadProgramFile();
const templates = loadMailTemplates();

/** Templates whose mail is about a deadline, and whose subject must therefore say the last day. */
const SUBJECT_STATES_LAST_DAY: TemplateName[] = ['opened', 'adhoc-announced', 'reminder', 'overdue', 'escalation-head', 'escalation-above', 'extended', 'report-due'];
/** About a deadline too, but their subject is about something done (a receipt, the result): no date in it at all. */
const NO_DATE_IN_SUBJECT: TemplateName[] = ['receipt', 'late-receipt', 'closed'];

const VI_MONTH = /(thứ (?:Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ nhật) (\d{1,2})\/(\d{1,2})\/(\d{4})/;
const EN_SHORT = /\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})\b/;
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The day a subject names, as YYYY-MM-DD plus its weekday (1–7), or null. */
function subjectDay(subject: string, lang: 'vi' | 'en'): { date: string; weekday: string } | null {
  if (lang === 'vi') {
    const m = VI_MONTH.exec(subject);
    return m ? { date: `${m[4]}-${m[3]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`, weekday: m[1]! } : null;
  }
  const m = EN_SHORT.exec(subject);
  return m ? { date: `${m[4]}-${String(EN_MONTHS.indexOf(m[3]!) + 1).padStart(2, '0')}-${m[2]!.padStart(2, '0')}`, weekday: m[1]! } : null;
}

/** The last day the body states: "(ngày cuối cùng: Thứ Ba, 24/03/2015)" / "(last day: Tuesday 24 March 2015)". */
function bodyLastDay(text: string, lang: 'vi' | 'en'): string | null {
  if (lang === 'vi') {
    const m = /ngày cuối cùng: (?:Thứ \S+|Chủ Nhật), (\d{2})\/(\d{2})\/(\d{4})/.exec(text);
    return m ? `${m[3]}-${m[2]}-${m[1]}` : null;
  }
  const m = /last day: \w+ (\d{1,2}) (\w+) (\d{4})/.exec(text);
  return m ? DateTime.fromFormat(`${m[1]} ${m[2]} ${m[3]}`, 'd MMMM yyyy', { locale: 'en-GB' }).toISODate() : null;
}

/** Anything that looks like a calendar date: 25/03/2015, 25/3, 25 March, Mar 25, 2015-03-25. */
const ANY_DATE = /\b\d{1,2}\/\d{1,2}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* \d{1,2}\b/;

test('every template is classified (a new template must decide what its subject says)', () => {
  const deadlineTemplates = [...SUBJECT_STATES_LAST_DAY, ...NO_DATE_IN_SUBJECT];
  const rest = TEMPLATE_NAMES.filter((t) => !deadlineTemplates.includes(t));
  expect(rest.sort()).toEqual(['appraisal-summary', 'compilation', 'estimate-adjusted', 'estimate-approved', 'estimate-returned', 'plan-approved', 'report-issued']);
});

describe.each(LANGUAGES)('subjects in %s', (lang) => {
  test.each(SUBJECT_STATES_LAST_DAY)('%s: the subject’s date is the body’s last day, with its weekday', (template) => {
    const mail = renderMail(templates, sampleMailInput(template, lang, program));
    const inSubject = subjectDay(mail.subject, lang);
    const inBody = bodyLastDay(mail.text, lang);
    expect(inBody).not.toBeNull();
    expect(inSubject?.date).toBe(inBody);
    const weekday = shortDay(DateTime.fromISO(inBody!, { zone: program.timeZone }), lang).split(/ \d/)[0];
    expect(inSubject?.weekday).toBe(weekday);
    // The deadline's own date (the 25th for "before the 25th") is not in the subject.
    const due = when(sampleMailInput(template, lang, program).obligation?.dueAt ?? '2015-03-24T17:00:00.000Z', program.timeZone, lang);
    expect(mail.subject).not.toContain(due.date);
  });

  test.each(NO_DATE_IN_SUBJECT)('%s: no date in the subject at all', (template) => {
    const mail = renderMail(templates, sampleMailInput(template, lang, program));
    expect(mail.subject).not.toMatch(ANY_DATE);
    expect(mail.subject).not.toMatch(VI_MONTH);
  });

  test.each(TEMPLATE_NAMES.filter((t) => !SUBJECT_STATES_LAST_DAY.includes(t) && !NO_DATE_IN_SUBJECT.includes(t)))(
    '%s (a decision, no deadline): no calendar date in the subject',
    (template) => {
      expect(renderMail(templates, sampleMailInput(template, lang, program)).subject).not.toMatch(ANY_DATE);
    },
  );
});

describe('the issue’s ad hoc round: due before 10 December 2026', () => {
  const deadline = '2026-12-10T00:00:00+07:00';
  const input = (lang: 'vi' | 'en') => {
    const sample = sampleMailInput('adhoc-announced', lang, program);
    return { ...sample, at: '2026-11-30T09:00:00+07:00', round: { ...sample.round, year: 2026, deadline }, obligation: { ...sample.obligation!, dueAt: deadline } };
  };

  test('the subject says the last day, Wednesday 9 December 2026, never "10/12"', () => {
    const vi = renderMail(templates, input('vi'));
    expect(vi.subject).toBe('[kybao] Yêu cầu báo cáo đột xuất: Báo cáo đột xuất về công tác thông tin đối ngoại (hạn cuối: thứ Tư 9/12/2026)');
    expect(vi.subject).not.toMatch(/10\/12/);
    expect(vi.text).toContain('Hạn nộp: trước 00:00 Thứ Năm, 10/12/2026 (ngày cuối cùng: Thứ Tư, 09/12/2026)');
    const en = renderMail(templates, input('en'));
    expect(en.subject).toBe('[kybao] Ad hoc report requested: Ad hoc report on external information (last day: Wed 9 Dec 2026)');
    expect(en.text).toContain('Deadline: before 00:00, Thursday 10 December 2026 (last day: Wednesday 9 December 2026)');
  });

  test('a deadline that is not at midnight keeps its own day as the last day', () => {
    expect(when('2026-12-09T17:00:00+07:00', program.timeZone, 'vi').lastDayShort).toBe('thứ Tư 9/12/2026');
    expect(when('2026-12-10T00:00:00.001+07:00', program.timeZone, 'en').lastDayShort).toBe('Thu 10 Dec 2026');
    expect(when('2026-12-14T00:00:00+07:00', program.timeZone, 'vi').lastDayShort).toBe('Chủ nhật 13/12/2026');
  });
});
