import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultProgramPath } from '../../domain/program/load-file';
import { expectFailure, expectSuccess, kybao } from './run';

/**
 * `kybao simulate` runs a whole cycle year of the default program on its own time-skipping server and
 * throw-away database, and reports the compliance matrix, the mail per kind and the appraisal outcome.
 */
describe('kybao simulate', () => {
  it('simulates cycle 2015 with a seed and prints the matrix, mail per kind and appraisal outcome', async () => {
    const result = await kybao(['simulate', '--year', '2015', '--seed', '3'], {}, 240_000);
    expectSuccess(result);
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
