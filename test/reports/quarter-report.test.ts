import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { createCompilationActivities } from '../../activities/compilation';
import { docxToPdf, pdfToPng, requireTool } from '../../documents/render-pdf';
import type { CompiledReportModel } from '../../domain/compilation/model';
import { validateFormData } from '../../domain/forms';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';
import { readEnv } from '../../infra/config';
import { editCompiledDraft, getCompiledReport, issueCompiledReport } from '../../infra/db/compiled-reports';
import { REPO_ROOT } from '../../infra/db/database-url';
import { loadProgram } from '../../infra/db/program-repository';
import { closeRound, recordSubmission, setObligationStatus, upsertObligations, upsertRound } from '../../infra/db/round-repository';
import { useMigratedDatabase } from '../db/harness';
import { DocxFile } from '../helpers/docx-reader';
import { formOf, Q1_DUE, REPORTS } from './fixtures/quarter-2015-q1';

/**
 * Issue #15, "must show": a quarter in which the default program's units fill its form (three late, one
 * missing), compiled from the database; the figures are checked exactly (sums and means by category,
 * the missing list); the .docx and .xlsx are opened with reader libraries and checked (title block,
 * motto, number and date lines, tables); the .docx is rendered to PDF and PNG with LibreOffice and
 * poppler into test-output/reports/ for people to look at. Nothing is skipped: without soffice or
 * pdftoppm the test fails and says what to install.
 */

const OUT = path.join(REPO_ROOT, 'test-output', 'reports');
const run = promisify(execFile);
const program = loadProgramFile(defaultProgramPath);
const form = program.forms!['quarterly-report']!;
const ROUND_ID = `${program.id}:2015-Q1`;
/** Compiled on Monday 30 March 2015, 09:00 in Thái Bình. */
const COMPILED_AT = '2015-03-30T02:00:00.000Z';

describe('a quarter compiled into the coordinator’s report (default program, Q1 2015)', () => {
  const database = useMigratedDatabase('sqlite');
  const env = { ...readEnv({}), KYBAO_REPORTS_DIR: OUT };
  let model: CompiledReportModel;
  let reportId: string;
  let files: { docx: string; xlsx: string };

  beforeAll(async () => {
    rmSync(path.join(OUT, program.id), { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const { db } = database();
    await loadProgram(db, program);
    await upsertRound(db, { id: ROUND_ID, programId: program.id, year: 2015, kind: 'quarterly-report', title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015 report' }, deadline: Q1_DUE, openedAt: '2015-02-16T01:00:00Z' });
    await upsertObligations(db, { roundId: ROUND_ID, obligations: REPORTS.map((r) => ({ unitId: r.unitId, dueAt: Q1_DUE })), at: '2015-02-16T01:00:00Z' });
    for (const r of REPORTS) {
      const unit = program.units.find((u) => u.id === r.unitId)!;
      if (r.at === null) continue;
      // The edge (web page, CLI) validates with the form's schema before anything is stored.
      const parsed = validateFormData(form, unit, formOf(r, unit.name.vi));
      if (!parsed.ok) throw new Error(`${r.unitId}: ${parsed.problems.join('; ')}`);
      await recordSubmission(db, { roundId: ROUND_ID, unitId: r.unitId, submittedBy: unit.contact.email, submittedAt: r.at, fileRef: `bao-cao-${r.unitId}.pdf`, formData: parsed.data });
    }
    await setObligationStatus(db, { roundId: ROUND_ID, unitId: 'ubnd-vu-thu', status: 'missing', at: '2015-03-30T01:00:00Z' });
    await closeRound(db, { roundId: ROUND_ID, result: { closedBy: 'test' }, closedAt: '2015-03-30T01:00:00Z' });

    const compiled = await createCompilationActivities({ db, env }).compileRoundReport({ programId: program.id, roundId: ROUND_ID, compiledAt: COMPILED_AT });
    expect(compiled).toMatchObject({ id: ROUND_ID, revision: 1, outcome: 'created', status: 'draft' });
    files = { docx: compiled.docx, xlsx: compiled.xlsx };
    reportId = compiled.id;
    model = (await getCompiledReport(db, compiled.id))!.model;
  });

  const indicator = (id: string) => model.tables.flatMap((t) => t.indicators).find((i) => i.id === id)!;
  const byCategory = (id: string) => Object.fromEntries(indicator(id).byCategory.map((c) => [c.category, c.aggregate.value]));

  test('compliance: 22 on time, 3 late, 1 missing of 26; lateness in calendar days', () => {
    expect(model.compliance.totals).toEqual({ asked: 26, onTime: 22, late: 3, missing: 1, completionPercent: '96.2', timelinessPercent: '84.6' });
    expect(model.compliance.byCategory.map((c) => [c.category, c.counts.asked, c.counts.onTime, c.counts.late, c.counts.missing])).toEqual([
      ['department', 10, 9, 1, 0],
      ['district', 8, 6, 1, 1],
      ['socio-political', 6, 5, 1, 0],
      ['press', 2, 2, 0, 0],
    ]);
    const late = model.compliance.units.filter((u) => u.cells[0]?.status === 'late').map((u) => [u.unitId, u.cells[0]!.lateDays]);
    expect(late).toEqual([
      ['so-noi-vu', 1],
      ['ubnd-tien-hai', 3],
      ['hoi-ccb', 1],
    ]);
    expect(model.compliance.units.find((u) => u.unitId === 'ldld-tinh')?.cells[0]?.status).toBe('on-time');
    expect(model.missing).toEqual([{ unitId: 'ubnd-vu-thu', name: { vi: 'Ủy ban nhân dân huyện Vũ Thư', en: 'Vũ Thư District People\'s Committee' }, category: 'district', rounds: ['2015-Q1'] }]);
  });

  test('sums by category and for the province are exact', () => {
    expect(indicator('su-kien').province).toEqual({ asked: 26, reported: 25, value: '40' });
    expect(byCategory('su-kien')).toEqual({ department: '19', district: '10', 'socio-political': '6', press: '5' });
    expect(byCategory('an-pham')).toEqual({ department: '15', district: '6', 'socio-political': '4', press: '10' });
    expect(indicator('an-pham').province.value).toBe('35');
    expect(byCategory('tin-bai-cong-ttdt')).toEqual({ department: '78', district: '33', 'socio-political': '11', press: '75' });
    expect(indicator('tin-bai-cong-ttdt').province.value).toBe('197');
    expect(byCategory('kinh-phi-da-chi')).toEqual({ department: '610000000', district: '207500000', 'socio-political': '40000000', press: '120000000' });
    expect(indicator('kinh-phi-da-chi').province.value).toBe('977500000');
    // Asked only of the four units of task 5 and Sở VH,TT&DL: 1 + 2 + 1 + 0.
    expect(indicator('doan-bao-chi-nuoc-ngoai').province).toEqual({ asked: 4, reported: 4, value: '4' });
    expect(indicator('doan-bao-chi-nuoc-ngoai').byCategory.map((c) => c.category)).toEqual(['department']);
  });

  test('means by category are exact fractions, shown rounded half up to 2 decimals', () => {
    const spent = indicator('ty-le-giai-ngan');
    expect(spent.province).toEqual({ asked: 26, reported: 25, value: '22.06', exact: { numerator: '27579', denominator: '1250' } }); // 551.58 / 25 = 22.0632
    expect(Object.fromEntries(spent.byCategory.map((c) => [c.category, [c.aggregate.value, c.aggregate.exact]]))).toEqual({
      department: ['22.71', { numerator: '5677', denominator: '250' }], // 227.08 / 10 = 22.708
      district: ['20.36', { numerator: '285', denominator: '14' }], // 142.5 / 7 = 20.357…
      'socio-political': ['14.50', { numerator: '29', denominator: '2' }], // 87 / 6
      press: ['47.50', { numerator: '95', denominator: '2' }], // 95 / 2
    });
    // Optional, for departments and the press: only the four that answered count.
    const english = indicator('ty-le-tin-tieng-anh');
    expect(english.province).toEqual({ asked: 12, reported: 4, value: '56.94', exact: { numerator: '911', denominator: '16' } }); // 227.75 / 4 = 56.9375
    expect(english.byCategory.map((c) => [c.category, c.aggregate.value])).toEqual([
      ['department', '47.75'],
      ['press', '66.13'], // 66.125 rounds up
    ]);
  });

  test('texts sit under their section and focal task; highlights are listed by unit', () => {
    const tasks = model.sections.find((s) => s.id === 'ket-qua-nhiem-vu')!;
    expect(tasks.tasks.map((t) => [t.number, t.entries.map((e) => e.unitId)])).toEqual([
      [1, ['so-tttt']],
      [5, ['van-phong-ubnd']],
      [6, ['cong-an-tinh']],
      [7, ['so-vhttdl']],
      [8, ['so-khdt']],
      [9, ['so-khdt']],
      [10, ['so-cong-thuong']],
      [11, ['ban-ql-kcn']],
      [12, ['ubnd-tp-thai-binh', 'ubnd-quynh-phu', 'ubnd-hung-ha', 'ubnd-dong-hung', 'ubnd-thai-thuy', 'ubnd-tien-hai', 'ubnd-kien-xuong']],
      [13, ['bao-thai-binh', 'dai-ptth']],
      [14, ['bch-bdbp']],
      [15, ['so-noi-vu']],
      [16, ['so-tai-chinh']],
      [17, ['cong-an-tinh']],
    ]);
    expect(tasks.tasksWithoutEntries).toEqual([2, 3, 4]);
    expect(tasks.general.map((e) => e.unitId)).toEqual(['mttq-tinh', 'tinh-doan', 'hoi-lhpn', 'hoi-nong-dan', 'hoi-ccb', 'ldld-tinh']);
    expect(indicator('su-kien-noi-bat').observations.map((o) => [o.unitId, o.value])).toEqual([
      ['so-tttt', 'Hội nghị báo chí quý I'],
      ['so-vhttdl', 'Lễ hội Đền Trần Thái Bình'],
      ['bao-thai-binh', 'Chuyên trang quảng bá du lịch'],
    ]);
  });

  test('the .docx, read back: national title and motto, issuing body, number and date lines, title, tables, signature block', async () => {
    const doc = await DocxFile.open(readFileSync(path.join(REPO_ROOT, files.docx)));
    // A4 portrait; margins 20 / 20 / 30 / 15 mm (1 mm = 56.7 twips); no page number on the first page.
    expect(doc.page()).toEqual({ width: 11906, height: 16838, top: 1134, bottom: 1134, left: 1701, right: 850, titlePage: true });

    const [head, ...tables] = doc.tables();
    expect(head).toEqual([
      [
        'UBND TỈNH THÁI BÌNH\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n\nSố:        /BC-STTTT',
        'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nThái Bình, ngày      tháng      năm 2015',
      ],
    ]);
    const title = doc.paragraph('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM').runs[0]!;
    expect(title).toMatchObject({ bold: true, size: 24, font: 'Times New Roman' });
    expect(doc.paragraph('Độc lập - Tự do - Hạnh phúc').runs[0]).toMatchObject({ bold: true, underline: 'single', size: 26 });
    expect(doc.paragraph(/^Thái Bình, ngày/).runs[0]).toMatchObject({ italic: true, size: 26 });
    expect(doc.paragraph('SỞ THÔNG TIN VÀ TRUYỀN THÔNG').runs[0]).toMatchObject({ bold: true });
    expect(doc.paragraph('BÁO CÁO').runs[0]).toMatchObject({ bold: true, size: 28 });
    expect(doc.paragraph('Kết quả thực hiện Chương trình hành động về thông tin đối ngoại quý I năm 2015').runs[0]).toMatchObject({ bold: true });
    expect(doc.paragraph(/^Thực hiện Quyết định số 925\/QĐ-UBND ngày 06\/5\/2014/).alignment).toBe('both');
    expect(doc.paragraph(/^Tổng số cơ quan, đơn vị phải báo cáo/).text).toBe(
      'Tổng số cơ quan, đơn vị phải báo cáo: 26; đã gửi báo cáo: 25 (96,2%), trong đó đúng hạn: 22 (84,6%), quá hạn: 3; chưa gửi: 1.',
    );

    const [byCategoryTable, perUnit, activities, budget, signature] = tables;
    expect(byCategoryTable!.at(-1)).toEqual(['Toàn tỉnh', '26', '22', '3', '1', '84,6%']);
    const rowOf = (t: string[][] | undefined, name: string) => t!.find((r) => r[1] === name);
    expect(rowOf(perUnit, 'Sở Nội vụ')).toEqual(['3', 'Sở Nội vụ', '25/03/2015', 'Quá hạn 1 ngày']);
    expect(rowOf(perUnit, 'Ủy ban nhân dân huyện Tiền Hải')).toEqual(['16', 'Ủy ban nhân dân huyện Tiền Hải', '27/03/2015', 'Quá hạn 3 ngày']);
    expect(rowOf(perUnit, 'Ủy ban nhân dân huyện Vũ Thư')).toEqual(['18', 'Ủy ban nhân dân huyện Vũ Thư', '–', 'Chưa gửi']);
    expect(activities![0]).toEqual(['STT', 'Chỉ tiêu', 'Đơn vị tính', 'Kết quả', 'Số đơn vị báo cáo']);
    expect(activities!.slice(1, 6)).toEqual([
      ['1', 'Sự kiện, hội nghị, hội thảo quảng bá đã tổ chức', 'sự kiện', '40', '25/26'],
      ['', '- Sở, ban, ngành', '', '19', '10/10'],
      ['', '- UBND huyện, thành phố', '', '10', '7/8'],
      ['', '- Tổ chức chính trị - xã hội', '', '6', '6/6'],
      ['', '- Cơ quan báo chí', '', '5', '2/2'],
    ]);
    expect(budget!.slice(1)).toEqual([
      ['1', 'Kinh phí đã chi cho hoạt động thông tin đối ngoại trong quý', 'đồng', '977.500.000', '25/26'],
      ['', '- Sở, ban, ngành', '', '610.000.000', '10/10'],
      ['', '- UBND huyện, thành phố', '', '207.500.000', '7/8'],
      ['', '- Tổ chức chính trị - xã hội', '', '40.000.000', '6/6'],
      ['', '- Cơ quan báo chí', '', '120.000.000', '2/2'],
      ['2', 'Tỷ lệ kinh phí đã sử dụng so với dự toán năm được giao (lũy kế) (trung bình)', '%', '22,06', '25/26'],
      ['', '- Sở, ban, ngành', '', '22,71', '10/10'],
      ['', '- UBND huyện, thành phố', '', '20,36', '7/8'],
      ['', '- Tổ chức chính trị - xã hội', '', '14,50', '6/6'],
      ['', '- Cơ quan báo chí', '', '47,50', '2/2'],
    ]);
    expect(doc.paragraph(/^a\) Nhiệm vụ 1: /).runs[0]).toMatchObject({ bold: true, italic: true });
    expect(doc.paragraph('- Ủy ban nhân dân huyện Vũ Thư.').text).toBe('- Ủy ban nhân dân huyện Vũ Thư.');
    expect(signature).toEqual([
      [
        'Nơi nhận:\n- Ủy ban nhân dân tỉnh Thái Bình (để báo cáo);\n- Bộ Thông tin và Truyền thông (để báo cáo);\n- Ban Tuyên giáo Tỉnh ủy;\n- Lưu: VT, TTĐN.',
        'GIÁM ĐỐC\n\n',
      ],
    ]);
    expect(doc.paragraph('Nơi nhận:').runs[0]).toMatchObject({ bold: true, italic: true, size: 24 });
    expect(doc.paragraph('- Lưu: VT, TTĐN.').runs[0]).toMatchObject({ size: 22, bold: false });
    // A draft says so at the top of its first page; later pages carry their number.
    const headers = [...doc.files.entries()].filter(([name]) => /^word\/header\d+\.xml$/.test(name)).map(([, xml]) => xml);
    expect(headers.some((xml) => xml.includes('DỰ THẢO'))).toBe(true);
    expect(headers.some((xml) => /w:instrText[^>]*>\s*PAGE\s*</.test(xml))).toBe(true);
  });

  test('the .xlsx, read back: compliance matrix, indicator figures (exact), missing units', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(path.join(REPO_ROOT, files.xlsx)) as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Tổng hợp',
      'Tuân thủ',
      'Hoạt động thông tin đối ngoại…',
      'Kinh phí thực hiện',
      'Số liệu đơn vị',
      'Chưa báo cáo',
    ]);
    const rows = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((r) => out.push((r.values as unknown[]).slice(1)));
      return out;
    };
    const matrix = rows('Tuân thủ');
    expect(matrix[0]).toEqual(['STT', 'Mã đơn vị', 'Cơ quan, đơn vị', 'Nhóm', 'Quý I: tình trạng', 'Quý I: ngày gửi', 'Quý I: số ngày trễ', 'Phải gửi', 'Đúng hạn', 'Quá hạn', 'Chưa gửi', 'Đã gửi (%)', 'Đúng hạn (%)']);
    expect(matrix.find((r) => r[1] === 'ubnd-tien-hai')).toEqual([16, 'ubnd-tien-hai', 'Ủy ban nhân dân huyện Tiền Hải', 'UBND huyện, thành phố', 'Quá hạn', '27/03/2015 17:00', 3, 1, 0, 1, 0, 100, 0]);
    expect(matrix.find((r) => r[1] === 'ubnd-vu-thu')?.slice(4, 7)).toEqual(['Chưa gửi', undefined, undefined]);
    const budget = rows('Kinh phí thực hiện');
    expect(budget.find((r) => r[1] === 'kinh-phi-da-chi' && r[5] === 'Toàn tỉnh')?.slice(6, 9)).toEqual([977_500_000, 25, 26]);
    expect(budget.find((r) => r[1] === 'ty-le-giai-ngan' && r[5] === 'UBND huyện, thành phố')?.slice(6, 10)).toEqual([20.36, 7, 8, '285/14']);
    expect(rows('Số liệu đơn vị').length).toBe(1 + 25);
    expect(rows('Chưa báo cáo').slice(1)).toEqual([[1, 'ubnd-vu-thu', 'Ủy ban nhân dân huyện Vũ Thư', 'UBND huyện, thành phố', 'Quý I']]);
  });

  test('a late report recompiles the draft and keeps the coordinator’s texts; issuing fixes number and date; an issued report keeps its figures and files', async () => {
    const { db } = database();
    const activities = createCompilationActivities({ db, env });
    await editCompiledDraft(db, { id: reportId, edits: { conclusions: 'Đề nghị UBND huyện Vũ Thư gửi báo cáo đúng hạn.' }, actor: 'coordinator@so-tttt.example' });
    // Same submissions: nothing changes.
    expect(await activities.compileRoundReport({ programId: program.id, roundId: ROUND_ID, compiledAt: '2015-03-31T02:00:00.000Z' })).toMatchObject({ revision: 1, outcome: 'unchanged' });

    const vuThu = program.units.find((u) => u.id === 'ubnd-vu-thu')!;
    const parsed = validateFormData(form, vuThu, formOf({ ...REPORTS.find((r) => r.unitId === 'ubnd-vu-thu')!, figures: [2, 0, 3, 10_000_000, 12.5], tasks: [12] }, vuThu.name.vi));
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    await recordSubmission(db, { roundId: ROUND_ID, unitId: 'ubnd-vu-thu', submittedBy: vuThu.contact.email, submittedAt: '2015-04-01T02:00:00.000Z', formData: parsed.data });
    const again = await activities.compileRoundReport({ programId: program.id, roundId: ROUND_ID, compiledAt: '2015-04-02T02:00:00.000Z' });
    expect(again).toMatchObject({ revision: 2, outcome: 'recompiled', status: 'draft' });
    const recompiled = (await getCompiledReport(db, reportId))!;
    expect(recompiled.model.missing).toEqual([]);
    expect(recompiled.model.compliance.totals).toMatchObject({ onTime: 22, late: 4, missing: 0 });
    expect(recompiled.model.tables[0]!.indicators[0]!.province).toEqual({ asked: 26, reported: 26, value: '42' });
    expect(recompiled.state).toMatchObject({ status: 'draft', conclusions: 'Đề nghị UBND huyện Vũ Thư gửi báo cáo đúng hạn.' });

    // Issued on Friday 3 April 2015, 10:00 in Thái Bình, as number 5 of the year.
    await issueCompiledReport(db, {
      id: reportId,
      request: { number: 5, issuedAt: '2015-04-03T03:00:00.000Z', issuedBy: 'giamdoc@so-tttt.example', signer: { title: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: 'Nguyễn Văn An' } },
    });
    const issued = await activities.renderCompiledReport({ id: reportId });
    expect(issued.docx).toBe(path.relative(REPO_ROOT, path.join(OUT, program.id, 'compiled', '2015-Q1.so-05.docx')));
    const doc = await DocxFile.open(readFileSync(path.join(REPO_ROOT, issued.docx)));
    expect(doc.tables()[0]).toEqual([
      [
        'UBND TỈNH THÁI BÌNH\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n\nSố: 05/BC-STTTT',
        'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nThái Bình, ngày 03 tháng 4 năm 2015',
      ],
    ]);
    expect(doc.paragraph('Đề nghị UBND huyện Vũ Thư gửi báo cáo đúng hạn.').text).toBeTruthy();
    expect(doc.tables().at(-1)![0]![1]).toBe('KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n\nNguyễn Văn An');
    const headers = [...doc.files.entries()].filter(([name]) => /^word\/header\d+\.xml$/.test(name)).map(([, xml]) => xml);
    expect(headers.some((xml) => xml.includes('DỰ THẢO'))).toBe(false);

    // Compiling again after issuing keeps the issued report and its files as they are.
    expect(await activities.compileRoundReport({ programId: program.id, roundId: ROUND_ID })).toEqual({ ...issued, id: reportId, revision: 2, outcome: 'issued', status: 'issued' });
    const written = statSync(path.join(REPO_ROOT, issued.docx)).mtimeMs;
    expect(await activities.renderCompiledReport({ id: reportId })).toEqual(issued);
    expect(statSync(path.join(REPO_ROOT, issued.docx)).mtimeMs).toBe(written); // written once
    await expect(editCompiledDraft(db, { id: reportId, edits: { introduction: 'x' }, actor: 'coordinator@so-tttt.example' })).rejects.toThrow(/cannot be edited/);
  });

  test('the issued report rendered to PDF (A4, Times-metric serif, Vietnamese text intact) and PNG pages, kept in test-output/reports/', async () => {
    // Fails, never skips, without the tools: the message says which Debian packages to install.
    await requireTool('soffice');
    await requireTool('pdftoppm');
    const docx = path.join(OUT, program.id, 'compiled', '2015-Q1.so-05.docx');
    const pdf = await docxToPdf(docx, OUT);
    const info = (await run('pdfinfo', [pdf])).stdout;
    expect(info).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    const text = (await run('pdftotext', ['-layout', '-f', '1', '-l', '1', pdf, '-'])).stdout;
    expect(text).toMatch(/UBND TỈNH THÁI BÌNH\s+CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/);
    expect(text).toMatch(/SỞ THÔNG TIN VÀ TRUYỀN THÔNG\s+Độc lập - Tự do - Hạnh phúc/);
    expect(text).toMatch(/Số: 05\/BC-STTTT\s+Thái Bình, ngày 03 tháng 4 năm 2015/);
    // Times New Roman, or its metric twin Liberation Serif where Microsoft's fonts are not installed.
    expect((await run('pdffonts', [pdf])).stdout).toMatch(/TimesNewRoman|LiberationSerif/);
    const png = await pdfToPng(pdf, path.join(OUT, '2015-Q1.so-05'), { dpi: 60 });
    expect(png).toHaveLength(pages);
    expect(path.basename(png[0]!)).toMatch(/^2015-Q1\.so-05-0*1\.png$/);
    // A4 at 60 dpi: 595.3 × 841.9 pt → 497 × 702 pixels (pdftoppm rounds up; PNG header bytes 16–23).
    const header = readFileSync(png[0]!);
    expect([header.readUInt32BE(16), header.readUInt32BE(20)]).toEqual([497, 702]);
  });
});
