import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { roundCounts } from '../../app/status';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { outlineOf, type ProgramRef } from '../../domain/program/outline';
import { roundInput } from '../../domain/round/from-schedule';
import type { RoundSummary } from '../../domain/round/schema';
import { REPO_ROOT } from '../../infra/db/database-url';
import { createPrismaClient } from '../../infra/db/client';
import { currentProgramRef, loadProgram } from '../../infra/db/program-repository';
import { getRound } from '../../infra/db/round-repository';
import { createMigratedSqlite } from '../../infra/db/sqlite-template';
import { TASK_QUEUE } from '../../workflows/task-queue';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { roundWorkflows } from '../../scripts/scale/measure';
import type { BenchContext } from '../context';
import { historySizes, runsOf, type HistorySize } from '../histories';
import { programWithUnits } from '../programs';
import { makeRow, type FigureDraft, type Row } from '../results';
import { median, round3 } from '../stats';
import { receiptWorkflow, submitUpdate } from '../workflows/baseline';

/**
 * Issue #14, figures 1 and 2, from one workload per side and size N:
 *
 * - kybao: a round of N units on a Temporal dev server (real time), the design of issue #11 (a
 *   coordinator workflow and its shard workflows, per-unit state in the shards and the database),
 *   every unit submitting at once through the path people take (app/workflow-gateway.ts, as the web app
 *   and `kybao submit` send it), from the round's start to the round closed with its counts in the
 *   database; the deployed worker (worker/run.ts, prebuilt bundle, SQLite) in a process of its own.
 * - baseline: N minimal workflows (bench/workflows/baseline.ts) that each take one Update and run one
 *   activity (a row in SQLite through better-sqlite3), from the first start to the last completion; a
 *   bare worker in a process of its own. Same server, same run, same client concurrency.
 *
 * Round overhead: time (and receipts per second). Cost growth: the largest single history (events and
 * bytes) over the round and all its shards, total events, the worker's peak RSS, database bytes per
 * unit-round.
 */
const CONCURRENCY = 32;

export interface RoundMeasure {
  /** Round start (first workflow start) to closed with results persisted, ms. */
  ms: number;
  receiptsPerSecond: number;
  largest: HistorySize;
  /** kybao: the largest history of the round's own workflow and its groups'; the baseline: 0. */
  largestCoordinatorEvents: number;
  totalEvents: number;
  /** Over every history read, per unit: workflow tasks completed and activities run. */
  workflowTasksPerUnit: number;
  activitiesPerUnit: number;
  /** Workflow runs whose histories were read (all of them, or a sample for large N). */
  historiesRead: number;
  totalEventsEstimated: boolean;
  workerPeakRssBytes: number;
  databaseBytesPerUnitRound: number;
  /** Updates sent again: aborted by the server (see updateWithRetry) or answered busy (the gateway retries). */
  updateRetries: number;
  /** kybao: workflows of the round (the coordinator, its groups of shards if any, its shards); the baseline: N. */
  workflows: number;
  /** kybao: the round's shards; the baseline: 0. */
  shards: number;
  /**
   * kybao, where the time goes: round start → first receipt (the round writes its obligations and starts
   * its shards; submissions sent meanwhile are answered "opening" and retried), first → last receipt,
   * last receipt → the round closed. The baseline: null.
   */
  phases: { openingMs: number; submittingMs: number; closingMs: number } | null;
}

interface BenchWorker {
  stop(): Promise<{ maxRssBytes: number }>;
}

/** Starts bench/worker-process.ts and waits for it to poll. */
async function startWorker(kind: 'kybao' | 'baseline', server: TestWorkflowEnvironment, taskQueue: string, database: string): Promise<BenchWorker> {
  const args = { kind, address: server.connection.options.address, namespace: server.namespace ?? 'default', taskQueue, database };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/worker-process.ts'), JSON.stringify(args)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${kind} worker did not start within 180 s:\n${stderr.slice(-2000)}`)), 180_000);
    const check = () => {
      if (stdout.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} worker exited with ${code} before it was ready:\n${stderr.slice(-2000)}`));
    });
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) throw new Error(`the ${kind} worker ended with ${code}:\n${stderr.slice(-2000)}`);
      return JSON.parse(line) as { maxRssBytes: number };
    },
  };
}

/**
 * An Update as a person (or `kybao submit`) would send it: again when the server aborted it before the
 * workflow took it ("workflow update was aborted": the run closed, e.g. continued as new, with the Update
 * admitted but not accepted; nothing was applied). Counts the extra attempts in `retries`.
 */
async function updateWithRetry<T>(send: () => Promise<T>, retries: { count: number }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const text = `${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`;
      if (attempt >= 20 || !/aborted|Unavailable|UNAVAILABLE/.test(text)) throw err;
      retries.count += 1;
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * attempt)));
    }
  }
}

/** What a workflow of the round is, by its id: "round", "group" or "shard" (the baseline's: "minimal workflow"). */
function kindOf(workflowId: string): string {
  if (/:shard-\d+$/.test(workflowId)) return `shard (${workflowId.split(':').pop()})`;
  if (/:group-\d+$/.test(workflowId)) return `group of shards (${workflowId.split(':').pop()})`;
  return workflowId.startsWith('round:') ? 'round (coordinator)' : 'minimal workflow';
}

/** Runs fn(0…n-1) with at most `concurrency` calls in flight; results in index order. */
async function inPool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return out;
}

/** Bytes a SQLite database takes on disk once its write-ahead log is folded in. */
function sqliteBytes(file: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return statSync(file).size;
}

/** Largest and total history of the given runs; beyond 500 runs, an even sample (total extrapolated). */
async function histories(server: TestWorkflowEnvironment, runs: Array<{ workflowId: string; runId?: string }>) {
  const sample = runs.length <= 500 ? runs : Array.from({ length: 500 }, (_, i) => runs[Math.floor((i * runs.length) / 500)]!);
  const sizes = await historySizes(server.client, sample);
  const largestOf = (of: HistorySize[]) => of.reduce((a, b) => (b.events > a.events || (b.events === a.events && b.bytes > a.bytes) ? b : a), of[0]!);
  const largest = largestOf(sizes);
  // The round's own history and its groups' (kybao; the baseline has none): what grew with N before groups.
  const coordinators = sizes.filter((h) => /^round:/.test(h.workflowId) && !/:shard-\d+$/.test(h.workflowId));
  const scale = runs.length / sample.length;
  const sum = (f: (h: HistorySize) => number) => sizes.reduce((s, h) => s + f(h), 0) * scale;
  return {
    largest,
    largestCoordinatorEvents: coordinators.length ? largestOf(coordinators).events : 0,
    totalEvents: Math.round(sum((h) => h.events)),
    historiesRead: sample.length,
    totalEventsEstimated: sample.length < runs.length,
    work: { workflowTasks: sum((h) => h.workflowTasks), activities: sum((h) => h.activities) },
  };
}

/** The baseline: N receipt workflows, one Update and one activity each. */
export async function measureBaseline(ctx: BenchContext, server: TestWorkflowEnvironment, n: number, run: number): Promise<RoundMeasure> {
  const taskQueue = `bench-baseline-${n}-${run}`;
  const database = path.join(ctx.tmp, `baseline-${n}-${run}.db`);
  const worker = await startWorker('baseline', server, taskQueue, database);
  const before = sqliteBytes(database);
  const roundId = `baseline-${n}-${run}`;
  const ids = Array.from({ length: n }, (_, i) => `bench-receipt-${n}-${run}-${i}`);
  const retries = { count: 0 };
  let ms: number;
  let stats: { maxRssBytes: number };
  try {
    const started = performance.now();
    const handles = await inPool(n, CONCURRENCY, (i) =>
      server.client.workflow.start(receiptWorkflow, { taskQueue, workflowId: ids[i]!, args: [{ roundId, unitId: `u${i}` }] }),
    );
    await inPool(n, CONCURRENCY, (i) => updateWithRetry(() => handles[i]!.executeUpdate(submitUpdate, { args: [{ unitId: `u${i}` }] }), retries));
    await inPool(n, CONCURRENCY, (i) => handles[i]!.result());
    ms = performance.now() - started;
  } finally {
    stats = await worker.stop();
  }
  const { work, ...h } = await histories(server, ids.map((workflowId) => ({ workflowId })));
  return {
    ms,
    receiptsPerSecond: n / (ms / 1000),
    ...h,
    workflowTasksPerUnit: work.workflowTasks / n,
    activitiesPerUnit: work.activities / n,
    workerPeakRssBytes: stats.maxRssBytes,
    databaseBytesPerUnitRound: (sqliteBytes(database) - before) / n,
    updateRetries: retries.count,
    workflows: n,
    shards: 0,
    phases: null,
  };
}

/**
 * kybao: one round of N units (issue #11's design: a coordinator workflow `round:<id>` and its shard
 * workflows `round:<id>:shard-<n>`), everyone submitting at once (CONCURRENCY callers) through the path
 * the web app and `kybao submit` take: app/workflow-gateway.ts, which finds the shard holding the unit in
 * the database and sends it the Update (retrying while the round is opening or Temporal is busy). Timed
 * from the round's start to the round closed: its workflow returned its RoundSummary and the database
 * holds the round closed with every unit submitted.
 */
export async function measureKybaoRound(ctx: BenchContext, server: TestWorkflowEnvironment, n: number, run: number): Promise<RoundMeasure> {
  const { program, unitIds } = programWithUnits(`bench-round-${n}`, n);
  const database = path.join(ctx.tmp, `kybao-${n}-${run}.db`);
  await createMigratedSqlite(database);
  const setup = createPrismaClient(`file:${database}`);
  let programRef: ProgramRef;
  try {
    await loadProgram(setup, program, { actor: 'bench' });
    programRef = (await currentProgramRef(setup, program.id))!;
  } finally {
    await setup.$disconnect();
  }
  const before = sqliteBytes(database);
  const taskQueue = `${TASK_QUEUE}-bench-${n}-${run}`;
  const worker = await startWorker('kybao', server, taskQueue, database);
  const roundId = roundIdOf(program.id, `2015-bench-${run}`);
  const workflowId = roundWorkflowId(roundId);
  // Real time on the dev server: a deadline far enough ahead that no reminder falls due meanwhile.
  const deadline = new Date(Date.now() + 60 * 86_400_000).toISOString();
  const retries = { count: 0 };
  // Every synthetic unit is of category "other" and no unit of the default program is (bench/programs.ts):
  // the round names its audience by rule, as a round of 10,000 must (a listed audience stops at 1,000).
  const input = roundInput(outlineOf(program, programRef.version), {
    roundId,
    kind: 'adhoc',
    year: 2015,
    title: { vi: 'Báo cáo đột xuất (đo hiệu năng)', en: 'Ad hoc report (benchmark)' },
    deadline,
    audience: { category: 'other' },
  });
  const db = createPrismaClient(`file:${database}`);
  const gateway = new WorkflowGateway(server.client, { db, taskQueue, busyRetryMs: 300_000, onBusy: () => void (retries.count += 1) });
  let ms: number;
  let phases: RoundMeasure['phases'];
  let summary: RoundSummary;
  let stats: { maxRssBytes: number };
  try {
    const started = performance.now();
    await server.client.workflow.start(roundWorkflow, { taskQueue, workflowId, args: [input] });
    let firstReceipt = 0;
    await inPool(n, CONCURRENCY, async (i) => {
      await updateWithRetry(() => gateway.submitReport(roundId, { unitId: unitIds[i]!, submittedBy: `clerk@${unitIds[i]}`, reference: `bench/${unitIds[i]}.pdf` }, Date.now()), retries);
      firstReceipt ||= performance.now();
    });
    const lastReceipt = performance.now();
    summary = await server.client.workflow.getHandle<typeof roundWorkflow>(workflowId).result();
    ms = performance.now() - started;
    phases = { openingMs: firstReceipt - started, submittingMs: lastReceipt - firstReceipt, closingMs: performance.now() - lastReceipt };
    const stored = await getRound(db, roundId);
    const { counts } = await roundCounts(db, roundId);
    if (stored?.status !== 'closed') throw new Error(`round ${roundId} is not closed in the database (${stored?.status})`);
    if (summary.counts?.submitted !== n || counts.submitted !== n) {
      throw new Error(`the round closed with ${summary.counts?.submitted} (workflow) and ${counts.submitted} (database) of ${n} submitted on time`);
    }
  } finally {
    await db.$disconnect();
    stats = await worker.stop();
  }
  // The round and every shard it started, every run of each (shards continue as new).
  const workflowIds = await roundWorkflows(server.client, workflowId);
  const runs = (await Promise.all(workflowIds.map(async (id) => (await runsOf(server.client, id)).map((runId) => ({ workflowId: id, runId }))))).flat();
  const { work, ...h } = await histories(server, runs);
  return {
    ms,
    receiptsPerSecond: n / (ms / 1000),
    ...h,
    workflows: workflowIds.length,
    shards: summary.shards,
    phases,
    workflowTasksPerUnit: work.workflowTasks / n,
    activitiesPerUnit: work.activities / n,
    workerPeakRssBytes: stats.maxRssBytes,
    databaseBytesPerUnitRound: (sqliteBytes(database) - before) / n,
    updateRetries: retries.count,
  };
}

const memo = new WeakMap<BenchContext, Promise<{ overhead: FigureDraft; cost: FigureDraft }>>();

/** Both figures from one set of runs (memoised per bench run: --only round-overhead,cost-growth runs it once). */
export function roundFigures(ctx: BenchContext): Promise<{ overhead: FigureDraft; cost: FigureDraft }> {
  let figures = memo.get(ctx);
  if (!figures) {
    figures = measureRoundFigures(ctx);
    memo.set(ctx, figures);
  }
  return figures;
}

async function measureRoundFigures(ctx: BenchContext): Promise<{ overhead: FigureDraft; cost: FigureDraft }> {
  const server = await ctx.devServer();
  const sizes = ctx.sizes ?? (ctx.quick ? [10] : [100, 1_000, 10_000]);
  const measured: Array<{ n: number; kybao: RoundMeasure[]; baseline: RoundMeasure[] }> = [];
  for (const n of sizes) {
    // The largest sizes take minutes per run: fewer runs there.
    const runs = ctx.quick ? 1 : n >= 10_000 ? 1 : n >= 1_000 ? Math.min(ctx.runs, 3) : ctx.runs;
    const entry = { n, kybao: [] as RoundMeasure[], baseline: [] as RoundMeasure[] };
    for (let run = 0; run < runs; run++) {
      entry.baseline.push(await measureBaseline(ctx, server, n, run));
      entry.kybao.push(await measureKybaoRound(ctx, server, n, run));
      ctx.log(
        `round N=${n} run ${run + 1}: kybao ${Math.round(entry.kybao.at(-1)!.ms)} ms, baseline ${Math.round(entry.baseline.at(-1)!.ms)} ms; ` +
          `largest history ${entry.kybao.at(-1)!.largest.events} vs ${entry.baseline.at(-1)!.largest.events} events`,
      );
    }
    measured.push(entry);
  }
  const label = (n: number) => `N = ${n.toLocaleString('en-US')}`;
  const pick = (ms: RoundMeasure[], f: (m: RoundMeasure) => number) => ms.map(f);

  const overheadRows: Row[] = measured.map(({ n, kybao, baseline }) =>
    makeRow({
      name: label(n),
      unit: 'ms',
      better: 'lower',
      kybao: { name: 'kybao round', runs: pick(kybao, (m) => m.ms) },
      baseline: { name: `${n.toLocaleString('en-US')} minimal workflows`, runs: pick(baseline, (m) => m.ms) },
      target: n === 1_000 ? { text: '≤ 1.5× baseline', maxRatio: 1.5 } : null,
      details: {
        'receipts/s, kybao': round3(median(pick(kybao, (m) => m.receiptsPerSecond))),
        'receipts/s, baseline': round3(median(pick(baseline, (m) => m.receiptsPerSecond))),
        // Where the time goes: round trips through the server per unit (from the histories).
        'workflow tasks per unit, kybao': round3(median(pick(kybao, (m) => m.workflowTasksPerUnit))),
        'workflow tasks per unit, baseline': round3(median(pick(baseline, (m) => m.workflowTasksPerUnit))),
        'activities per unit, kybao': round3(median(pick(kybao, (m) => m.activitiesPerUnit))),
        'activities per unit, baseline': round3(median(pick(baseline, (m) => m.activitiesPerUnit))),
        'Updates sent again (aborted or busy), kybao': kybao.reduce((s, m) => s + m.updateRetries, 0),
        'Updates sent again (aborted or busy), baseline': baseline.reduce((s, m) => s + m.updateRetries, 0),
        'workflows, kybao (round + groups + shards)': median(pick(kybao, (m) => m.workflows)),
        // Where kybao's time goes (medians over the runs).
        'kybao: round start → first receipt (ms)': round3(median(pick(kybao, (m) => m.phases?.openingMs ?? Number.NaN))),
        'kybao: first → last receipt (ms)': round3(median(pick(kybao, (m) => m.phases?.submittingMs ?? Number.NaN))),
        'kybao: last receipt → round closed (ms)': round3(median(pick(kybao, (m) => m.phases?.closingMs ?? Number.NaN))),
        runs: kybao.length,
      },
      median,
    }),
  );

  const largestAt1000 = measured.find((m) => m.n === 1_000);
  const costRows: Row[] = [];
  for (const { n, kybao, baseline } of measured) {
    const row = (what: string, unit: string, f: (m: RoundMeasure) => number, target: Row['target'] = null, details: Row['details'] = {}) =>
      makeRow({ name: `${what}, ${label(n)}`, unit, better: 'lower', kybao: { name: 'kybao round', runs: pick(kybao, f) }, baseline: { name: 'minimal workflows', runs: pick(baseline, f) }, target, details, median });
    const flat =
      n === 10_000 && largestAt1000
        ? { text: 'flat: ≤ 1.1× the largest at N = 1,000', maxValue: Math.round(1.1 * median(pick(largestAt1000.kybao, (m) => m.largest.events))) }
        : null;
    costRows.push(
      row('largest history (events)', 'events', (m) => m.largest.events, flat, {
        'kybao runs read': kybao[0]!.historiesRead,
        'largest, kybao (last run)': kindOf(kybao.at(-1)!.largest.workflowId),
        'largest coordinator (round or group), kybao (events)': median(pick(kybao, (m) => m.largestCoordinatorEvents)),
      }),
      row('largest history (bytes)', 'bytes', (m) => m.largest.bytes),
      row('total events', 'events', (m) => m.totalEvents, null, baseline[0]!.totalEventsEstimated ? { 'baseline total': `extrapolated from ${baseline[0]!.historiesRead} of ${n.toLocaleString('en-US')} histories` } : {}),
      row('worker peak RSS', 'MiB', (m) => m.workerPeakRssBytes / 2 ** 20),
      row('database per unit-round', 'bytes', (m) => m.databaseBytesPerUnitRound),
    );
  }

  const method =
    `Per size N (${sizes.map((n) => n.toLocaleString('en-US')).join(', ')}), on one Temporal dev server (in memory), each side with its worker in a ` +
    `process of its own and ${CONCURRENCY} client calls in flight. kybao: a round of N synthetic units (ad hoc kind, audience by category, deadline ` +
    `60 days ahead): the coordinator workflow round:<id>, its shard workflows round:<id>:shard-<n> of 50 units and, beyond 20 shards, the groups of 20 shards between them (round:<id>:group-<n>); every unit submits at once through ` +
    `app/workflow-gateway.ts (the shard holding the unit found in the database, the Update sent there with the arrival instant, busy answers ` +
    `retried), from the round's start to its workflow returning its RoundSummary with every unit submitted and the database holding the round ` +
    `closed with the same counts (SQLite; the deployed worker with the prebuilt bundle, mail dispatcher off). Baseline: N minimal workflows ` +
    `started, each taking one Update whose handler runs one activity (a row in SQLite through better-sqlite3), until all have completed.`;
  return {
    overhead: {
      id: 'round-overhead',
      title: 'Round overhead vs bare Temporal',
      method,
      rows: overheadRows,
      breakdown: [],
      notes: [],
      todo: null,
    },
    cost: {
      id: 'cost-growth',
      title: 'Cost growth',
      method:
        `${method} Histories are read from the server after each run (every run of the round and of each of its shards; for the baseline, every workflow up to 500, an even ` +
        `sample beyond, the total extrapolated); bytes are the protobuf size. Peak RSS is the worker process's maximum resident set; database ` +
        `bytes are the SQLite file's growth over the run (write-ahead log folded in) per unit.`,
      rows: costRows,
      breakdown: [],
      notes: [],
      todo: null,
    },
  };
}
