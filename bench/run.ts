/**
 * `npm run bench`: kybao side by side with Temporal itself (issue #14). Starts what it needs (a Temporal
 * dev server, the time-skipping server, SQLite databases, a loopback SMTP sink) and writes
 * bench/results/latest.json and latest.md: every figure the median of several runs, with its baseline
 * measured in the same run, the ratio and the machine. Not part of the tests; test/bench/smoke.test.ts
 * runs `--quick`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { REPO_ROOT } from '../infra/db/database-url';
import { quietRuntime, toolchainExecutable } from '../client/simulate/environment';
import type { BenchContext } from './context';
import { describeMachine } from './machine';
import { FIGURE_IDS, FigureId, Results, writeResults, type Figure, type FigureDraft } from './results';
import { cliStartup } from './figures/cli-startup';
import { mailThroughput } from './figures/mail-throughput';
import { yearFastForward } from './figures/year';
import { roundFigures } from './figures/round';
import { statusLatency } from './figures/status-latency';

const HELP = `Usage: npm run bench -- [--quick] [--only FIGURES] [--runs N] [--sizes N,N] [--out DIR]

Measures kybao against bare Temporal / bare libraries on this machine and writes latest.json and
latest.md (a Markdown table) into bench/results/ (or --out DIR).

  --quick          the smoke run: tiny workloads, one run per measure (a few tens of seconds)
  --only FIGURES   comma-separated: ${FIGURE_IDS.join(', ')}; the other figures of the previous
                   latest.json in the output folder are kept
  --runs N         runs per measure (default 5; --quick: 1)
  --sizes N,N      round sizes for round-overhead and cost-growth (default 100,1000,10000; --quick: 10)
  --out DIR        where to write the results (default bench/results)

Figures: CLI start-up vs node -e 0; mail throughput of the outbox vs a bare nodemailer loop; a year in
fast-forward (kybao simulate --year 2015) vs bare timers and activities; round overhead and cost growth
vs N minimal workflows with one Update and one activity each; status latency vs a bare SQL query over
HTTP. A busy machine slows both sides of a ratio alike; its load average is recorded.`;

export interface BenchOptions {
  quick: boolean;
  only: FigureId[];
  runs: number;
  sizes: number[] | null;
  out: string;
}

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const options: BenchOptions = { quick: false, only: [...FIGURE_IDS], runs: 0, sizes: null, out: path.join(REPO_ROOT, 'bench/results') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value; see --help`);
      return v;
    };
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--only') {
      const list = value().split(',').map((s) => s.trim()).filter(Boolean);
      const bad = list.filter((f) => !FigureId.safeParse(f).success);
      if (!list.length || bad.length) throw new Error(`--only: unknown figure ${bad.join(', ') || '(none)'}; choose from ${FIGURE_IDS.join(', ')}`);
      options.only = list as FigureId[];
    } else if (arg === '--runs') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`--runs ${v}: give a whole number from 1 to 100`);
      options.runs = n;
    } else if (arg === '--sizes') {
      const v = value();
      const sizes = v.split(',').map((x) => Number(x.trim().replace(/_/g, '')));
      if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 100_000)) throw new Error(`--sizes ${v}: give round sizes from 1 to 100,000, separated by commas, e.g. 100,1000`);
      options.sizes = sizes;
    } else if (arg === '--out') options.out = path.resolve(value());
    else throw new Error(`unknown argument "${arg}"; see --help`);
  }
  if (!options.runs) options.runs = options.quick ? 1 : 5;
  return options;
}

const FIGURES: Record<FigureId, (ctx: BenchContext) => Promise<FigureDraft>> = {
  'cli-startup': cliStartup,
  'mail-throughput': mailThroughput,
  year: yearFastForward,
  // One workload gives both: the time to close a round, and what it left behind.
  'round-overhead': (ctx) => roundFigures(ctx).then((f) => f.overhead),
  'cost-growth': (ctx) => roundFigures(ctx).then((f) => f.cost),
  'status-latency': statusLatency,
};

/**
 * Runs the chosen figures. A figure that fails is reported in `failures` (with its stack); the others
 * still make the results.
 */
export async function runBench(
  options: BenchOptions,
  log: (line: string) => void = (l) => process.stderr.write(`[bench] ${l}\n`),
): Promise<{ results: Results; failures: string[] }> {
  const started = Date.now();
  const machine = describeMachine();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kybao-bench-'));
  let server: Promise<TestWorkflowEnvironment> | undefined;
  const ctx: BenchContext = {
    quick: options.quick,
    runs: options.runs,
    sizes: options.sizes,
    log,
    tmp,
    devServer: () =>
      (server ??= (async () => {
        quietRuntime();
        const { TestWorkflowEnvironment } = await import('@temporalio/testing');
        log('starting a Temporal dev server');
        return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: toolchainExecutable('cli') }, extraArgs: ['--log-level', 'never'] } });
      })()),
  };
  const figures: Figure[] = [];
  const failures: string[] = [];
  try {
    for (const id of options.only) {
      log(`${id}…`);
      const t = Date.now();
      try {
        figures.push({ ...(await FIGURES[id](ctx)), measured: { at: new Date().toISOString(), commit: machine.commit } });
        log(`${id} done in ${Math.round((Date.now() - t) / 1000)} s`);
      } catch (err) {
        failures.push(`${id}: ${(err as Error).stack ?? String(err)}`);
        log(`${id} FAILED: ${(err as Error).message}`);
      }
    }
  } finally {
    if (server) await (await server).teardown();
    rmSync(tmp, { recursive: true, force: true });
  }
  // With --only (or after a failure), the other figures of the previous results are kept (each says
  // what measured it: the file's machine and commit are this run's).
  let previous: Figure[] = [];
  if (figures.length < FIGURE_IDS.length) {
    try {
      previous = Results.parse(JSON.parse(readFileSync(path.join(options.out, 'latest.json'), 'utf8'))).figures;
    } catch {
      previous = [];
    }
  }
  const merged = FIGURE_IDS.map((id) => figures.find((f) => f.id === id) ?? previous.find((f) => f.id === id)).filter((f): f is Figure => !!f);
  return {
    results: { generatedAt: new Date().toISOString(), quick: options.quick, runs: options.runs, durationMs: Date.now() - started, machine, figures: merged },
    failures,
  };
}

if (require.main === module) {
  (async () => {
    const options = parseBenchArgs(process.argv.slice(2));
    if (options === 'help') {
      console.log(HELP);
      return;
    }
    const { results, failures } = await runBench(options);
    const written = writeResults(results, options.out);
    process.stderr.write(`[bench] wrote ${path.relative(process.cwd(), written.json)} and ${path.relative(process.cwd(), written.markdown)}\n`);
    process.stdout.write(readFileSync(written.markdown, 'utf8'));
    if (failures.length) throw new Error(`${failures.length} figure(s) failed (the others were written):\n${failures.join('\n')}`);
  })().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
