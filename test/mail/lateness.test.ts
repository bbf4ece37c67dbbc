import { buildMailContext, renderMail, sampleMailInput, type MailInput } from '../../activities/mail/render';
import { loadMailTemplates } from '../../activities/mail/templates';
import { loadProgramFile } from '../../domain/program/load-file';

/**
 * Issue #12, item 2, in the mail: Q1 2015 is due at 2015-03-25T00:00:00+07:00 (17:00Z on the 24th).
 * For a report at exactly that instant the overdue notice, the late receipt and the status they
 * show agree: late. One millisecond earlier it is a plain receipt.
 */
const program = loadProgramFile();
const templates = loadMailTemplates();
const DUE = '2015-03-24T17:00:00.000Z';
const ONE_MS_BEFORE = '2015-03-24T16:59:59.999Z';

function receiptAt(template: 'receipt' | 'late-receipt', language: 'vi' | 'en', submittedAt: string): MailInput {
  const sample = sampleMailInput(template, language, program);
  return {
    ...sample,
    at: submittedAt,
    obligation: { dueAt: DUE, status: template === 'receipt' ? 'submitted' : 'late', submittedAt },
    submission: { version: 1, submittedAt, reference: 'files/q1.pdf' },
  };
}

describe('the mail for a report at the deadline instant', () => {
  test('the late receipt says when, that it was at the deadline instant itself, and that it is recorded as late', () => {
    const vi = receiptAt('late-receipt', 'vi', DUE);
    expect(buildMailContext(vi, templates.labels('vi')).submission).toMatchObject({ late: true, lateBy: null });
    expect(renderMail(templates, vi).text).toContain(
      '(lần gửi thứ 1) lúc 00:00 Thứ Tư, 25/03/2015, đúng thời điểm hết hạn. Báo cáo được ghi nhận là nộp muộn.',
    );
    expect(renderMail(templates, receiptAt('late-receipt', 'en', DUE)).text).toContain(
      '(version 1) at 00:00, Wednesday 25 March 2015, at the deadline instant itself. It is recorded as late.',
    );
    // A minute later the receipt says by how much.
    const minute = '2015-03-24T17:01:00.000Z';
    expect(renderMail(templates, receiptAt('late-receipt', 'en', minute)).text).toContain('at 00:01, Wednesday 25 March 2015, 1 minute after the deadline. It is recorded as late.');
  });

  test('the overdue notice planned for the same instant reads as overdue, never as time left', () => {
    const overdue = { ...sampleMailInput('overdue', 'vi', program), at: DUE };
    const ctx = buildMailContext(overdue, templates.labels('vi'));
    expect(ctx.timing).toEqual({ overdue: true, text: 'đã quá hạn dưới 1 phút', span: 'dưới 1 phút' });
    expect(renderMail(templates, overdue).text).toContain('Tình trạng: quá hạn từ 00:00 Thứ Tư, 25/03/2015');
  });

  test('1 ms before the instant: a plain receipt, on time, with less than a minute to spare', () => {
    const input = receiptAt('receipt', 'vi', ONE_MS_BEFORE);
    const ctx = buildMailContext(input, templates.labels('vi'));
    expect(ctx.submission).toMatchObject({ late: false, lateBy: null });
    expect(ctx.timing).toEqual({ overdue: false, text: 'còn dưới 1 phút', span: 'dưới 1 phút' });
    expect(renderMail(templates, input).text).toContain('lúc 23:59 Thứ Ba, 24/03/2015. Báo cáo được ghi nhận là nộp đúng hạn.');
  });
});
