import ExcelJS from 'exceljs';
import { simulatedQuarter } from '../../client/simulate/quarter-data';
import { renderReportDocx } from '../../documents/report-docx/render';
import { renderReportXlsx } from '../../documents/report-xlsx/render';
import { compileReview, compileRound, compileYear, newDraft, type CompiledReportModel } from '../../domain/compilation';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';
import { DocxFile } from '../helpers/docx-reader';

/**
 * The year's report and the review (sơ kết) follow the round's path over their periods: the .docx puts
 * the compliance matrix (units × quarters) or the timeliness per unit and year in place of the round's
 * list, and both files agree with the model cell for cell. Simulated quarters (seeded) stand in for the
 * database; the figures' arithmetic is checked by hand in test/compilation and test/reports.
 */

const program = loadProgramFile(defaultProgramPath);
const quarters = (year: number, seed: number) => [1, 2, 3, 4].map((q) => simulatedQuarter(program, year, q, seed));

const STATUS = { 'on-time': 'Đúng hạn', missing: 'Chưa gửi' } as const;
function cellText(c: CompiledReportModel['compliance']['units'][number]['cells'][number]): string {
  if (!c) return '';
  return c.status === 'late' ? `Trễ ${c.lateDays} ngày` : STATUS[c.status];
}

describe('the year’s report', () => {
  const model = compileYear(program, 2015, quarters(2015, 11), { compiledAt: '2015-12-28T02:00:00.000Z' });

  test('the .docx shows units × quarters as the model has them, with on-time counts', async () => {
    expect(model.compliance.units).toHaveLength(26);
    const doc = await DocxFile.open(await renderReportDocx(model, newDraft(model)));
    expect(doc.paragraph(/^Kết quả thực hiện/).text).toBe('Kết quả thực hiện Chương trình hành động về thông tin đối ngoại năm 2015');
    expect(doc.paragraph(/^Trong năm 2015 có 4 kỳ báo cáo/).text).toMatch(/^Trong năm 2015 có 4 kỳ báo cáo với tổng số 104 lượt báo cáo phải gửi; /);
    const matrix = doc.tables().find((t) => t[0]?.[2] === 'Quý I')!;
    expect(matrix[0]).toEqual(['STT', 'Cơ quan, đơn vị', 'Quý I', 'Quý II', 'Quý III', 'Quý IV', 'Đúng hạn / phải gửi']);
    expect(matrix.slice(1)).toEqual(model.compliance.units.map((u, i) => [String(i + 1), u.name.vi, ...u.cells.map(cellText), `${u.counts.onTime}/${u.counts.asked}`]));
    // Some unit was late or missing, or the matrix would prove little.
    expect(model.compliance.totals.onTime).toBeLessThan(104);
  });

  test('the .xlsx matrix has a status, a date and days late per quarter', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderReportXlsx(model, newDraft(model))) as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('Tuân thủ')!;
    expect((ws.getRow(1).values as unknown[]).slice(5, 17)).toEqual(
      ['Quý I', 'Quý II', 'Quý III', 'Quý IV'].flatMap((q) => [`${q}: tình trạng`, `${q}: ngày gửi`, `${q}: số ngày trễ`]),
    );
    const late = model.compliance.units.flatMap((u, i) => u.cells.flatMap((c, j) => (c?.status === 'late' ? [{ row: i + 2, col: 5 + j * 3, days: c.lateDays }] : [])));
    expect(late.length).toBeGreaterThan(0);
    for (const l of late) {
      expect(ws.getCell(l.row, l.col).value).toBe('Quá hạn');
      expect(ws.getCell(l.row, l.col + 2).value).toBe(l.days);
    }
  });
});

describe('the preliminary review (sơ kết) 2014–2017', () => {
  const rounds = [2014, 2015, 2016, 2017].flatMap((y) => quarters(y, y));
  const model = compileReview(program, 'preliminary', 2014, 2017, rounds, { compiledAt: '2017-11-20T02:00:00.000Z' });

  test('timeliness per unit across the years, as the model counts it; no unit texts; lists point to the workbook', async () => {
    const doc = await DocxFile.open(await renderReportDocx(model, newDraft(model)));
    expect(doc.paragraph(/^Sơ kết/).text).toBe(`Sơ kết 4 năm thực hiện ${program.title.vi} (giai đoạn 2014 – 2017)`);
    const byYear = doc.tables().find((t) => t[0]?.[2] === '2014')!;
    expect(byYear[0]).toEqual(['STT', 'Cơ quan, đơn vị', '2014', '2015', '2016', '2017', 'Cả giai đoạn']);
    for (const [i, u] of model.compliance.units.entries()) {
      const counts = new Map(u.byYear.map((y) => [y.year, y.counts]));
      const cell = (y: number) => `${counts.get(y)!.onTime}/${counts.get(y)!.asked}`;
      expect(byYear[i + 1]!.slice(2, 6)).toEqual([cell(2014), cell(2015), cell(2016), cell(2017)]);
    }
    expect(model.sections).toEqual([]);
    expect(doc.paragraphs().some((p) => p.text.startsWith('III. NỘI DUNG BÁO CÁO'))).toBe(false);
    expect(doc.paragraph(/^Sự kiện, hoạt động nổi bật trong quý: \d+ nội dung, xem bảng tính kèm theo/).runs[0]?.italic).toBe(true);
    // Missing rounds are named with their year over a review.
    const missing = model.missing[0]!;
    expect(doc.paragraph(new RegExp(`^- ${missing.name.vi} \\(`)).text).toMatch(/\(quý (I|II|III|IV)\/20\d\d(, quý (I|II|III|IV)\/20\d\d)*\)\.$/);
  });
});

describe('an ad hoc round whose kind has no form', () => {
  test('compiles who reported and who did not; the document has no indicator or text parts', async () => {
    const q = simulatedQuarter(program, 2015, 2, 5);
    const adhoc = {
      ...q,
      roundId: `${program.id}:2015-adhoc-1`,
      key: '2015-adhoc-1',
      kind: 'adhoc' as const,
      quarter: undefined,
      title: { vi: 'Báo cáo đột xuất về công tác đón tiếp phóng viên nước ngoài', en: 'Ad hoc report on foreign reporters' },
      formData: {},
    };
    const model = compileRound(program, adhoc, { compiledAt: '2015-07-01T02:00:00.000Z' });
    expect(model.formKind).toBeNull();
    expect(model.title.vi).toBe('Báo cáo đột xuất về công tác đón tiếp phóng viên nước ngoài');
    expect([model.tables, model.sections, model.withoutFormData]).toEqual([[], [], []]);
    const doc = await DocxFile.open(await renderReportDocx(model, newDraft(model)));
    expect(doc.paragraphs().filter((p) => /^[IV]+\. /.test(p.text)).map((p) => p.text)).toEqual([
      'I. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ',
      'II. CÁC CƠ QUAN, ĐƠN VỊ CHƯA GỬI BÁO CÁO',
      'III. NHẬN XÉT, ĐỀ XUẤT, KIẾN NGHỊ',
    ]);
    expect(doc.paragraph(/^Trên đây là/).text).toBe(
      'Trên đây là báo cáo kết quả tổng hợp báo cáo đột xuất về công tác đón tiếp phóng viên nước ngoài của Sở Thông tin và Truyền thông./.',
    );
    expect(newDraft(model).introduction).toMatch(/Sở Thông tin và Truyền thông báo cáo kết quả tổng hợp báo cáo đột xuất về công tác đón tiếp phóng viên nước ngoài như sau:$/);
  });
});
