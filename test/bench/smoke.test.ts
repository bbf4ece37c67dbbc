import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIGURE_IDS, Results } from '../../bench/results';
import { repoRoot } from '../cli/run';

/**
 * The benchmark harness end to end, small: `npm run bench -- --quick` (tiny workloads, one run each)
 * writes latest.json and latest.md with every figure of issue #14, each row with its baseline measured
 * in the same run. No timing is asserted: figures depend on the machine (README, Benchmarks).
 */
describe('npm run bench -- --quick', () => {
  let out: string;
  let results: Results;
  let markdown: string;

  beforeAll(async () => {
    out = mkdtempSync(path.join(os.tmpdir(), 'kybao-bench-smoke-'));
    const child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), [path.join(repoRoot, 'bench/run.ts'), '--quick', '--out', out], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`bench/run.ts --quick exited with ${code}:\n${stderr.slice(-4000)}`);
    results = Results.parse(JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')));
    markdown = readFileSync(path.join(out, 'latest.md'), 'utf8');
  }, 900_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('every figure is there, in order, with the machine it ran on', () => {
    expect(results.quick).toBe(true);
    expect(results.figures.map((f) => f.id)).toEqual([...FIGURE_IDS]);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  test('every row has a baseline measured in the run, and a ratio wherever kybao was measured', () => {
    for (const figure of results.figures) {
      expect(figure.rows.length).toBeGreaterThan(0);
      for (const row of figure.rows) {
        const where = `${figure.id} / ${row.name}`;
        expect({ where, runs: row.baseline.runs.length > 0, finite: Number.isFinite(row.baseline.median) }).toEqual({ where, runs: true, finite: true });
        if (row.kybao) {
          expect({ where, finite: Number.isFinite(row.kybao.median) }).toEqual({ where, finite: true });
          // A ratio needs both sides above zero (a database that did not grow has no ratio).
          if (row.kybao.median > 0 && row.baseline.median > 0) expect({ where, ratio: row.ratio }).toEqual({ where, ratio: expect.any(Number) });
        } else {
          // kybao's side may be open only where the figure says what is left to do.
          expect({ where, todo: figure.todo }).toEqual({ where, todo: expect.any(String) });
        }
      }
    }
  });

  test('every figure has kybao’s side; the round is the sharded one; status is read over HTTP too; the year says where its time goes', () => {
    const byId = new Map(results.figures.map((f) => [f.id, f]));
    for (const id of FIGURE_IDS) {
      expect({ id, open: byId.get(id)!.rows.filter((r) => r.kybao === null).map((r) => r.name), todo: byId.get(id)!.todo }).toEqual({ id, open: [], todo: null });
    }
    expect(byId.get('cli-startup')!.rows.map((r) => r.name)).toEqual(['kybao --help', 'kybao calendar --year 2015 --json']);
    // A round is its coordinator workflow and at least one shard, all counted in the histories.
    const round = byId.get('round-overhead')!.rows[0]!;
    expect(round.details['workflows, kybao (round + groups + shards)']).toBeGreaterThanOrEqual(2);
    expect(byId.get('status-latency')!.rows.map((r) => r.name)).toEqual([
      'CLI status --json, p50',
      'HTTP GET /api/years/2015/status, p50',
      'collectYear (the matrix, in process), p50',
      'roundCounts (one round), p50',
      'roundUnitsPage (100 units), p50',
    ]);
    expect(byId.get('year')!.breakdown.map((b) => b.label)).toEqual(expect.arrayContaining(['time-skipping server start', 'worker (prebuilt workflow bundle)']));
  });

  test('latest.md holds the table of every row', () => {
    expect(markdown).toContain('| figure | measure | kybao | baseline | ratio | target | met |');
    const tableRows = markdown.split('\n').filter((l) => /^\| (?!figure|---)/.test(l) && l.split('|').length === 9);
    expect(tableRows).toHaveLength(results.figures.reduce((n, f) => n + f.rows.length, 0));
  });
});
