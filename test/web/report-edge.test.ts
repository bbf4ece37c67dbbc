import contentDisposition from 'content-disposition';
import { asciiFileName, reportFileName } from '../../client/web/compiled-report-files';
import { readEditsForm, readIssueForm } from '../../client/web/compiled-report-forms';
import { problemText } from '../../client/web/page-problems';
import { AppError } from '../../app/errors';
import { dueAtOf, isOverdue } from '../../app/compiled-report-view';
import type { CompiledReportRecord } from '../../infra/db/compiled-reports';

/**
 * The Reports pages' edge, without a server: what the forms accept and how they refuse (in the user's
 * language), the download's file name, and the due date and overdue mark the list shows (the instant
 * the report's obligation was started with).
 */

function report(state: CompiledReportRecord['state'], revision = 1): CompiledReportRecord {
  return {
    id: 'qd-925-thai-binh:2015-Q1',
    revision,
    state,
    model: { period: { vi: 'quý I năm 2015', en: 'Q1 2015' }, issuing: { symbol: 'STTTT' } },
  } as unknown as CompiledReportRecord;
}

describe('the edit form', () => {
  test('texts are NFC and trimmed: "Kết luận" typed decomposed (NFD) is stored composed', () => {
    const out = readEditsForm('vi', { introduction: '  Mở đầu  ', conclusions: 'Kết luận'.normalize('NFD') });
    expect(out).toEqual({ introduction: 'Mở đầu', conclusions: 'Kết luận' });
  });

  test('20,000 characters pass; 20,001 are refused naming the part and both lengths, in Vietnamese and in English', () => {
    expect(readEditsForm('vi', { introduction: 'a', conclusions: 'x'.repeat(20_000) }).conclusions).toHaveLength(20_000);
    const tooLong = { introduction: 'a', conclusions: `${'x'.repeat(20_000)}y` };
    expect(() => readEditsForm('vi', tooLong)).toThrow('Phần "Kết luận, kiến nghị" dài 20.001 ký tự; tối đa 20.000 ký tự, hãy rút ngắn.');
    expect(() => readEditsForm('en', tooLong)).toThrow('The part "Conclusions and recommendations" is 20,001 characters long; at most 20,000: shorten it.');
  });
});

describe('the issue form', () => {
  test('number, signer lines (one per line, blanks dropped) and name', () => {
    expect(readIssueForm('vi', { number: ' 5 ', signerTitle: 'KT. GIÁM ĐỐC\r\n\r\n PHÓ GIÁM ĐỐC ', signerName: 'Nguyễn Văn A' })).toEqual({
      number: 5,
      signer: { title: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: 'Nguyễn Văn A' },
    });
  });

  test.each([
    ['0', 'number'],
    ['100000', 'number'],
    ['5a', 'number'],
    ['', 'number'],
  ])('number %j is refused (%s)', (number, field) => {
    let caught: AppError | undefined;
    try {
      readIssueForm('vi', { number, signerTitle: 'GIÁM ĐỐC', signerName: 'A' });
    } catch (err) {
      caught = err as AppError;
    }
    expect(caught?.field).toBe(field);
    expect(caught?.message).toContain('Số văn bản phải là số nguyên từ 1 đến 99999');
  });

  test('a missing position or name is refused by field', () => {
    expect(() => readIssueForm('en', { number: '5', signerTitle: ' \n ', signerName: 'A' })).toThrow('Give the signer’s position');
    expect(() => readIssueForm('vi', { number: '5', signerTitle: 'GIÁM ĐỐC', signerName: '  ' })).toThrow('Ghi họ và tên người ký.');
  });

  test('a refusal from the application layer is headed in the user’s language, its own sentence kept', () => {
    const err = new AppError('refused', 'number 5 of 2015 was already given to qd-925-thai-binh:2015-Q2; take the next free number in the register');
    expect(problemText('vi', err)).toBe(`Không được chấp nhận: ${err.message}`);
    expect(problemText('en', err)).toBe(`Refused: ${err.message}`);
  });
});

describe('the download’s file name', () => {
  test('a draft names its revision; an issued report its number; the ASCII fallback drops the marks', () => {
    expect(reportFileName(report({ status: 'draft', introduction: '', conclusions: '' }, 2), 'docx')).toBe('Báo cáo quý I năm 2015 (dự thảo, lần 2).docx');
    const issued = reportFileName(report({ status: 'issued', introduction: '', conclusions: '', number: 5, issuedAt: '2015-04-02T03:00:00.000Z', issuedBy: 'c', signer: { title: ['GIÁM ĐỐC'], name: 'A' } }), 'xlsx');
    expect(issued).toBe('Báo cáo quý I năm 2015 (số 05-BC-STTTT).xlsx');
    expect(asciiFileName(issued)).toBe('Bao cao quy I nam 2015 (so 05-BC-STTTT).xlsx');
    expect(asciiFileName('Đề án đối ngoại.docx')).toBe('De an doi ngoai.docx');
    expect(contentDisposition.parse(contentDisposition(issued, { fallback: asciiFileName(issued) })).parameters.filename).toBe(issued);
  });
});

describe('when a compiled report is due, and whether it is overdue', () => {
  const due = dueAtOf({ dueAt: '2015-04-08T17:00:00.000Z' });

  test('the due instant is the one its obligation was started with: stored in the database, else its workflow’s, else none', () => {
    expect(due).toBe(Date.parse('2015-04-09T00:00:00+07:00'));
    // A later program version (its workflow says 20 April) does not move a stored instant.
    expect(dueAtOf({ dueAt: '2015-04-08T17:00:00.000Z' }, { status: { dueAt: '2015-04-20T00:00:00+07:00' } })).toBe(due);
    expect(dueAtOf({ dueAt: null }, { status: { dueAt: '2018-01-16T00:00:00+07:00' } })).toBe(Date.parse('2018-01-16T00:00:00+07:00'));
    expect(dueAtOf({ dueAt: null }, null)).toBeNull();
  });

  test('at the due instant a draft is overdue, a millisecond before it is not; an issued report by when it was issued', () => {
    expect(isOverdue(due, { status: 'draft' }, due! - 1)).toBe(false);
    expect(isOverdue(due, { status: 'draft' }, due!)).toBe(true);
    expect(isOverdue(due, { status: 'issued', issuedAt: '2015-04-08T16:59:59.999Z' }, due! + 86_400_000)).toBe(false);
    expect(isOverdue(due, { status: 'issued', issuedAt: '2015-04-08T17:00:00.000Z' }, due!)).toBe(true);
  });
});
