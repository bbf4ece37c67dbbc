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

describe('kybao simulate', () => {
  it('simulates cycle 2015 with a seed and prints the matrix, mail per kind and appraisal outcome', async () => {
    // The compiled reports outlive the simulation's temp folder: written under the repository, removed here.
    mkdirSync(path.join(repoRoot, '.data'), { recursive: true });
    const reports = mkdtempSync(path.join(repoRoot, '.data', 'simulate-reports-'));
    let result: CliResult;
    try {
      result = await kybao(['simulate', '--year', '2015', '--seed', '3', '--reports', path.relative(repoRoot, reports)], {}, 240_000);
      expectSuccess(result);
      await expectCompiledQuarters(result.stdout, path.relative(repoRoot, reports));
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
  }, 240_000);

  it('simulates a whole program, each year appraised although years overlap (--all)', async () => {
    // The default program cut to 2014–2015: the 2015 plans are due while 2014 is still reporting.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-simulate-'));
    try {
      const def = parse(readFileSync(defaultProgramPath, 'utf8')) as Record<string, unknown>;
      const file = path.join(dir, 'two-years.yaml');
      writeFileSync(file, stringify({ ...def, id: 'qd-925-two-years', period: { firstYear: 2014, lastYear: 2015 }, reviews: { preliminaryYears: [], finalYear: 2015 } }));
      const result = await kybao(['simulate', '--all', '--program', file, '--seed', '5'], {}, 400_000);
      expectSuccess(result);
      expect(result.stderr).toMatch(/^\[simulate\] 2013-12-\d\d \d\d:00 {2}appraisal of [1-9]\d* estimates$/m);
      expect(result.stderr).toMatch(/^\[simulate\] 2014-12-\d\d \d\d:00 {2}appraisal of [1-9]\d* estimates$/m);
      for (const year of [2014, 2015]) {
        expect(result.stderr).toMatch(new RegExp(`^\\[simulate\\] cycle ${year} done: phase done, \\d+ rounds$`, 'm'));
        expect(result.stdout).toMatch(new RegExp(`^appraisal ${year}: [1-9]\\d* estimates, [1-9]\\d* approved, .*0 not settled;`, 'm'));
        expect(result.stdout).toMatch(new RegExp(`^plan ${year}: approved by `, 'm'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);

  it('refuses a bad program file or year before starting anything', async () => {
    expectFailure(await kybao(['simulate', '--program', 'nope.yaml']), /nope\.yaml: no such file/);
    expectFailure(await kybao(['simulate', '--year', '20x5']), /"20x5" is not a year/);
  });
});
