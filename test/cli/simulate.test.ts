import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse, stringify } from 'yaml';
import { defaultProgramPath } from '../../domain/program/load-file';
import { DocxFile } from '../helpers/docx-reader';
import { expectFailure, expectSuccess, kybao, repoRoot, type CliResult } from './run';

/**
 * `kybao simulate` runs a whole cycle year of the default program on its own time-skipping server and
 * throw-away database, and reports the compliance matrix, the mail per kind and the appraisal outcome.
 */
const QUARTERS = ['I', 'II', 'III', 'IV'];

/**
 * Each quarter closed and compiled its report (workflows/round.ts): one line per round after the year's
 * summary with the .docx and .xlsx paths, relative to the repository; both files exist, open with the
 * reader libraries, and carry the quarter's title.
 */
async function expectCompiledQuarters(stdout: string, reportsDir: string): Promise<void> {
  const compiled = [...stdout.matchAll(/^compiled (\S+): (\S+\.docx) (\S+\.xlsx)$/gm)].map((m) => ({ roundId: m[1]!, docx: m[2]!, xlsx: m[3]! }));
  for (const [i, roman] of QUARTERS.entries()) {
    const roundId = `qd-925-thai-binh:2015-Q${i + 1}`;
    const c = compiled.find((x) => x.roundId === roundId);
    expect(c).toEqual({
      roundId,
      docx: path.join(reportsDir, 'qd-925-thai-binh', 'compiled', `2015-Q${i + 1}.docx`),
      xlsx: path.join(reportsDir, 'qd-925-thai-binh', 'compiled', `2015-Q${i + 1}.xlsx`),
    });
    const title = `Kết quả thực hiện Chương trình hành động về thông tin đối ngoại quý ${roman} năm 2015`;
    const docxFile = path.join(repoRoot, c!.docx);
    expect(statSync(docxFile).size).toBeGreaterThan(0);
    const doc = await DocxFile.open(readFileSync(docxFile));
    expect(doc.paragraph('BÁO CÁO').text).toBe('BÁO CÁO');
    expect(doc.paragraph(title).text).toBe(title);
    const xlsxFile = path.join(repoRoot, c!.xlsx);
    expect(statSync(xlsxFile).size).toBeGreaterThan(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(xlsxFile) as unknown as ExcelJS.Buffer);
    const cells: string[] = [];
    wb.getWorksheet('Tổng hợp')!.eachRow((r) => r.eachCell((cell) => void cells.push(String(cell.value))));
    expect(cells).toContain(title);
  }
}

async function workbook(file: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(path.join(repoRoot, file)) as unknown as ExcelJS.Buffer);
  return wb;
}

const NOT_INDICATOR_SHEETS = new Set(['Tổng hợp', 'Tuân thủ', 'Số liệu đơn vị', 'Chưa báo cáo', 'Cảnh báo']);

interface Figure {
  aggregation: string;
  value: bigint | null;
  reported: number;
  asked: number;
  /** An average's exact value, numerator and denominator. */
  exact: [bigint, bigint] | null;
}

/** Each indicator's province-wide line ("Toàn tỉnh") of the workbook's indicator sheets, by indicator id. */
function provinceFigures(wb: ExcelJS.Workbook): Map<string, Figure> {
  const out = new Map<string, Figure>();
  for (const ws of wb.worksheets) {
    if (NOT_INDICATOR_SHEETS.has(ws.name)) continue;
    ws.eachRow((row, n) => {
      if (n === 1 || row.getCell(6).value !== 'Toàn tỉnh') return;
      const v = row.getCell(7).value;
      const exact = row.getCell(10).value;
      out.set(String(row.getCell(2).value), {
        aggregation: String(row.getCell(5).value),
        value: typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : null,
        reported: Number(row.getCell(8).value),
        asked: Number(row.getCell(9).value),
        exact: typeof exact === 'string' ? (exact.split('/').map((x) => BigInt(x)) as [bigint, bigint]) : null,
      });
    });
  }
  return out;
}

/** The compliance matrix ("Tuân thủ") as unit id → column header → cell value. */
function complianceRows(wb: ExcelJS.Workbook): Map<string, Map<string, unknown>> {
  const ws = wb.getWorksheet('Tuân thủ')!;
  const heads = (ws.getRow(1).values as unknown[]).map((h) => String(h));
  const out = new Map<string, Map<string, unknown>>();
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const cells = new Map<string, unknown>();
    heads.forEach((h, col) => col > 0 && cells.set(h, row.getCell(col).value));
    out.set(String(row.getCell(2).value), cells);
  });
  return out;
}

/**
 * The year's compiled report (workflows/cycle.ts, at the cycle's end): printed after the quarters; its
 * .docx opens with the year's title; its .xlsx figures are those of compileYear over the four quarters'
 * workbooks — a sum is the sum of the quarters' sums, an average the mean over every unit-quarter value
 * (Σ quarter mean × units reporting / Σ units reporting, exactly), the units reporting and asked add up —
 * and its compliance matrix carries each unit's status in each quarter, with on-time / late / missing
 * counted per unit across every round of the year.
 */
async function expectCompiledYear(stdout: string, reportsDir: string): Promise<void> {
  const line = /^compiled qd-925-thai-binh:year-2015: (\S+\.docx) (\S+\.xlsx)$/m.exec(stdout);
  expect(line).not.toBeNull();
  const dir = path.join(reportsDir, 'qd-925-thai-binh', 'compiled');
  expect([line![1], line![2]]).toEqual([path.join(dir, 'year-2015.docx'), path.join(dir, 'year-2015.xlsx')]);
  // Printed after the year's rounds.
  expect(stdout.indexOf(line![0])).toBeGreaterThan(stdout.indexOf('compiled qd-925-thai-binh:2015-Q4:'));

  const title = 'Kết quả thực hiện Chương trình hành động về thông tin đối ngoại năm 2015';
  const doc = await DocxFile.open(readFileSync(path.join(repoRoot, line![1]!)));
  expect(doc.paragraph('BÁO CÁO').text).toBe('BÁO CÁO');
  expect(doc.paragraph(title).text).toBe(title);

  const year = await workbook(line![2]!);
  const quarters = await Promise.all(QUARTERS.map((_, i) => workbook(path.join(dir, `2015-Q${i + 1}.xlsx`))));
  const yearFigures = provinceFigures(year);
  const quarterFigures = quarters.map(provinceFigures);
  expect([...yearFigures.keys()].sort()).toEqual([...quarterFigures[0]!.keys()].sort());
  expect(yearFigures.size).toBeGreaterThanOrEqual(8);
  let checkedSums = 0;
  let checkedAverages = 0;
  for (const [id, y] of yearFigures) {
    const qs = quarterFigures.map((q) => q.get(id)!);
    expect([id, y.reported, y.asked]).toEqual([id, qs.reduce((s, q) => s + q.reported, 0), qs.reduce((s, q) => s + q.asked, 0)]);
    if (y.aggregation === 'tổng' && y.value !== null) {
      expect([id, y.value]).toEqual([id, qs.reduce((s, q) => s + (q.value ?? 0n), 0n)]);
      checkedSums++;
    }
    if (y.aggregation === 'trung bình' && y.exact) {
      // Σ over quarters of (nq/dq) × rq, over Σ rq, compared to the year's n/d by cross-multiplying.
      const withData = qs.filter((q) => q.exact && q.reported > 0);
      const den = withData.reduce((d, q) => d * q.exact![1], 1n);
      const totalNum = withData.reduce((s, q) => s + (q.exact![0] * BigInt(q.reported) * den) / q.exact![1], 0n);
      const count = BigInt(withData.reduce((s, q) => s + q.reported, 0));
      expect([id, y.exact[0] * den * count]).toEqual([id, y.exact[1] * totalNum]);
      checkedAverages++;
    }
  }
  expect(checkedSums).toBeGreaterThanOrEqual(4);
  expect(checkedAverages).toBeGreaterThanOrEqual(1);

  // Timeliness per unit across the rounds: each quarter's cell as the quarter's report has it, and the
  // unit's counts over every round of the year (plan, quarters, ad hoc).
  const yearRows = complianceRows(year);
  const quarterRows = quarters.map(complianceRows);
  expect(yearRows.size).toBeGreaterThan(20);
  for (const [unitId, row] of yearRows) {
    QUARTERS.forEach((roman, i) => {
      const head = `Quý ${roman}: tình trạng`;
      expect([unitId, head, row.get(head) ?? null]).toEqual([unitId, head, quarterRows[i]!.get(unitId)?.get(head) ?? null]);
    });
    const statuses = [...row.entries()].filter(([h]) => h.endsWith(': tình trạng')).map(([, v]) => v);
    const count = (label: string) => statuses.filter((v) => v === label).length;
    expect([unitId, row.get('Phải gửi'), row.get('Đúng hạn'), row.get('Quá hạn'), row.get('Chưa gửi')]).toEqual([
      unitId,
      statuses.filter((v) => v !== null && v !== undefined).length,
      count('Đúng hạn'),
      count('Quá hạn'),
      count('Chưa gửi'),
    ]);
  }
}

describe('kybao simulate', () => {
  it('simulates cycle 2015 with a seed and prints the matrix, mail per kind and appraisal outcome', async () => {
    // The compiled reports outlive the simulation's temp folder: written under the repository, removed here.
    mkdirSync(path.join(repoRoot, '.data'), { recursive: true });
    const reports = mkdtempSync(path.join(repoRoot, '.data', 'simulate-reports-'));
    let result: CliResult;
    try {
      result = await kybao(['simulate', '--year', '2015', '--seed', '3', '--reports', path.relative(repoRoot, reports)], {}, 330_000);
      expectSuccess(result);
      await expectCompiledQuarters(result.stdout, path.relative(repoRoot, reports));
      await expectCompiledYear(result.stdout, path.relative(repoRoot, reports));
      // 2015 is no review year in the default program (sơ kết 2017, tổng kết 2020).
      expect(result.stdout).not.toMatch(/^compiled \S+-review-/m);
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
    // Progress while it runs, on stderr.
    expect(result.stderr).toMatch(/^\[simulate\] starting the time-skipping server at 2014-11-11T09:00:00\+07:00/m);
    expect(result.stderr).toMatch(/^\[simulate\] 2014-12-\d\d \d\d:00 {2}appraisal of \d+ estimates$/m);
    expect(result.stderr).toMatch(/^\[simulate\] cycle 2015 done: phase done, \d+ rounds$/m);
    // The report, on stdout.
    const out = result.stdout;
    expect(out).toMatch(/^=== compliance 2015 ===$/m);
    expect(out).toMatch(/^cycle cycle:qd-925-thai-binh:2015: closed, phase done, plan approved by chu-tich@ubnd-tinh$/m);
    const header = out.split('\n').find((l) => l.startsWith('unit '))!;
    for (const key of ['plan', 'appraisal', 'approval', 'Q1', 'Q2', 'Q3', 'Q4', 'adhoc-1']) expect(header.split(/\s+/)).toContain(key);
    expect(out).toMatch(/^so-tttt\s+(on time|late|missing)\s/m);
    expect(out).toMatch(/^Q4\s+quarterly-report\s+closed\s+Fri 2015-12-25 00:00\s+\d+\s+\d+\s+\d+\s+0\s+0\s+0\s+0\s+[\d.]+%\s+[\d.]+%$/m);
    expect(out).toMatch(/^appraisal 2015: \d+ estimates, \d+ approved, \d+ adjusted, \d+ returned at least once, 0 not settled; asked [\d,]+ VND, approved [\d,]+ VND$/m);
    expect(out).toMatch(/^plan 2015: approved by chu-tich@ubnd-tinh$/m);
    for (const kind of ['reminder', 'overdue', 'escalation', 'receipt', 'compilation']) expect(out).toMatch(new RegExp(`^${kind}\\s+\\d+\\s+\\d+$`, 'm'));
    expect(out).toMatch(/^simulated actions: \d+ submissions \(\d+ on time, \d+ late/m);
    expect(out).toMatch(/^unit habits \(seed 3\): \d+ reliable, \d+ sloppy, \d+ absent$/m);
    // The ad hoc round compiles too; the plan and appraisal rounds take no report form.
    expect(out).toMatch(/^compiled qd-925-thai-binh:2015-adhoc-\S+: \S+\.docx \S+\.xlsx$/m);
    expect(out).not.toMatch(/^compiled \S+(plan|appraisal|approval)/m);
  }, 340_000);

  it('simulates a whole program, each year appraised although years overlap (--all)', async () => {
    // The default program cut to 2014–2015: the 2015 plans are due while 2014 is still reporting.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-simulate-'));
    let cleanup: string | null = null;
    try {
      const def = parse(readFileSync(defaultProgramPath, 'utf8')) as Record<string, unknown>;
      const file = path.join(dir, 'two-years.yaml');
      writeFileSync(file, stringify({ ...def, id: 'qd-925-two-years', period: { firstYear: 2014, lastYear: 2015 }, reviews: { preliminaryYears: [], finalYear: 2015 } }));
      const reports = path.join('.data', `simulate-review-${process.pid}`);
      cleanup = path.join(repoRoot, reports);
      const result = await kybao(['simulate', '--all', '--program', file, '--seed', '5', '--reports', reports], {}, 400_000);
      expectSuccess(result);
      // 2015 is this program's final review year: at the cycle's end the tổng kết over 2014–2015 is
      // compiled after 2015's own report, and listed under 2015 (its last year) only.
      const compiled = path.join(reports, 'qd-925-two-years', 'compiled');
      for (const year of [2014, 2015])
        expect(result.stdout).toContain(`compiled qd-925-two-years:year-${year}: ${path.join(compiled, `year-${year}.docx`)} ${path.join(compiled, `year-${year}.xlsx`)}`);
      const review = `compiled qd-925-two-years:final-review-2014-2015: ${path.join(compiled, 'final-review-2014-2015.docx')} ${path.join(compiled, 'final-review-2014-2015.xlsx')}`;
      expect(result.stdout.split('\n').filter((l) => l === review)).toHaveLength(1);
      expect(result.stdout.indexOf(review)).toBeGreaterThan(result.stdout.indexOf('compiled qd-925-two-years:year-2015:'));
      const title = `Tổng kết thực hiện ${(def.title as { vi: string }).vi}`;
      const doc = await DocxFile.open(readFileSync(path.join(repoRoot, compiled, 'final-review-2014-2015.docx')));
      expect(doc.paragraph(title).text).toBe(title);
      const wb = await workbook(path.join(compiled, 'final-review-2014-2015.xlsx'));
      const summary: unknown[] = [];
      wb.getWorksheet('Tổng hợp')!.eachRow((r) => summary.push((r.values as unknown[]).slice(1, 3)));
      expect(summary).toContainEqual(['Kỳ', 'giai đoạn 2014 – 2015']);
      // Its compliance matrix spans both years' rounds: every unit row has the eight quarters.
      const heads = (wb.getWorksheet('Tuân thủ')!.getRow(1).values as unknown[]).map(String);
      expect(heads.filter((h) => /^Quý (I|II|III|IV)\b.*: tình trạng$/.test(h))).toHaveLength(8);
      expect(result.stderr).toMatch(/^\[simulate\] 2013-12-\d\d \d\d:00 {2}appraisal of [1-9]\d* estimates$/m);
      expect(result.stderr).toMatch(/^\[simulate\] 2014-12-\d\d \d\d:00 {2}appraisal of [1-9]\d* estimates$/m);
      for (const year of [2014, 2015]) {
        expect(result.stderr).toMatch(new RegExp(`^\\[simulate\\] cycle ${year} done: phase done, \\d+ rounds$`, 'm'));
        expect(result.stdout).toMatch(new RegExp(`^appraisal ${year}: [1-9]\\d* estimates, [1-9]\\d* approved, .*0 not settled;`, 'm'));
        expect(result.stdout).toMatch(new RegExp(`^plan ${year}: approved by `, 'm'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (cleanup) rmSync(cleanup, { recursive: true, force: true });
    }
  }, 400_000);

  it('refuses a bad program file or year before starting anything', async () => {
    expectFailure(await kybao(['simulate', '--program', 'nope.yaml']), /nope\.yaml: no such file/);
    expectFailure(await kybao(['simulate', '--year', '20x5']), /"20x5" is not a year/);
  });
});
