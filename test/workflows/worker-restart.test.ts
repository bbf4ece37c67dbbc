import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DateTime } from 'luxon';
import { loadProgramFile } from '../../domain/program/load-file';
import type { Program } from '../../domain/program/schema';
import { cycleStatusQuery, startAdhocRoundUpdate, type yearlyCycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId, programWorkflowId } from '../../workflows/ids';
import { programStatusQuery, programWorkflow } from '../../workflows/program';
import { planningStartOf } from '../../workflows/program-plan';
import { submitReport } from '../helpers/rounds';
import { roundShardWorkflowId } from '../../workflows/ids';
import { shardStatusQuery } from '../../workflows/round';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';

/**
 * The program survives its worker: on a real dev server, a worker process (worker/main.ts, as deployed)
 * runs a program adopted this year, whose cycles start and which continues as new; the worker is killed
 * (SIGKILL, nothing drained) with an ad hoc round open, and a new worker process carries on: it answers
 * for the program, the cycle and the round from their histories, takes a submission, and fires the
 * round's deadline timer that the first worker had set.
 */
const repoRoot = path.resolve(__dirname, '../..');
const thisYear = DateTime.now().setZone('Asia/Ho_Chi_Minh').year;
const restartProgram = (): Program => ({ ...loadProgramFile(), id: 'qd-925-restart', period: { firstYear: 2014, lastYear: thisYear + 1 } });

describe('a program across a worker restart (dev server, worker processes)', () => {
  const bed = useTestbed({ server: 'dev', program: restartProgram });
  const workers: ChildProcess[] = [];
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) await stop(w, 'SIGTERM');
  });

  function startWorker(name: string): ChildProcess {
    const { env, world } = bed();
    // The deployment's launcher: it execs node on the compiled worker (dist/worker.mjs, or the sources
    // with tsx when stale), so the pid is the worker's and SIGKILL kills the worker.
    const child = spawn(path.join(repoRoot, 'bin/kybao-worker'), [], {
      cwd: repoRoot,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        KYBAO_TASK_QUEUE: taskQueue,
        DATABASE_URL: world.url,
        SMTP_HOST: world.env.SMTP_HOST,
        SMTP_PORT: String(world.env.SMTP_PORT),
        KYBAO_REPORTS_DIR: world.env.KYBAO_REPORTS_DIR,
        KYBAO_BASE_URL: world.env.KYBAO_BASE_URL,
        // The deployed worker refuses to start without the key that signs the mails' links.
        KYBAO_LINK_SECRET: 'worker-restart-test-link-secret-0123456789abcdef',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code, signal) => {
      if (code !== null && code !== 0) console.error(`worker ${name} exited with ${code}:\n${output}`);
      else if (signal && signal !== 'SIGKILL' && signal !== 'SIGTERM') console.error(`worker ${name} died of ${signal}`);
    });
    workers.push(child);
    return child;
  }
  const taskQueue = `kybao-restart-${process.pid}`;

  it('carries on after the worker is killed: queries, an update and a timer set before the kill', async () => {
    const { env, world } = bed();
    const program = world.program;
    const unitIds = program.units.filter((u) => u.reports).map((u) => u.id);
    const [prompt, silent] = [unitIds[0]!, unitIds[1]!];
    const nextYearStarted = planningStartOf(program, thisYear + 1) <= Date.now();
    const expectedYears = nextYearStarted ? [thisYear, thisYear + 1] : [thisYear];

    const first = startWorker('A');
    const programHandle = await env.client.workflow.start(programWorkflow, {
      taskQueue,
      workflowId: programWorkflowId(program.id),
      args: [{ programRef: world.programRef, fromYear: thisYear }],
    });
    // Each started year is one run; the run after the last started year waits (for next year's planning,
    // or for the cycles to end).
    const before = await eventually(async () => {
      const s = await env.client.workflow.getHandle(programHandle.workflowId).query(programStatusQuery);
      // The run that started the last year may not have continued as new yet.
      return s.started.length === expectedYears.length && s.run === expectedYears.length + 1 ? s : null;
    }, 120_000);
    expect(before.run).toBe(expectedYears.length + 1);

    const cycle = env.client.workflow.getHandle<typeof yearlyCycleWorkflow>(cycleWorkflowId(program.id, thisYear));
    // After the kill: the timer is set by the first worker and fires for the second.
    const deadline = new Date(Date.now() + 90_000);
    const deadlineIso = deadline.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const adhoc = await cycle.executeUpdate(startAdhocRoundUpdate, {
      args: [{ title: 'Báo cáo đột xuất khi đổi worker', units: { unitIds: [prompt, silent] }, deadline: deadlineIso, startedBy: 'coordinator' }],
    });
    // The two units are one shard of the round: that workflow holds their obligations.
    const round = env.client.workflow.getHandle(roundShardWorkflowId(adhoc.roundId, 1));
    await eventually(async () => ((await round.query(shardStatusQuery)).phase === 'open' ? true : null), 60_000);
    const identityOfA = `${first.pid}@`;

    await stop(first, 'SIGKILL');
    const killedAt = Date.now();
    expect(killedAt).toBeLessThan(deadline.getTime());
    const second = startWorker('B');

    // The new worker rebuilds every workflow from its history before it can answer.
    const after = await eventually(() => env.client.workflow.getHandle(programHandle.workflowId).query(programStatusQuery), 120_000);
    expect(after).toMatchObject({ started: before.started, run: before.run, state: 'running' });
    const cycleNow = await cycle.query(cycleStatusQuery);
    expect(cycleNow.rounds.find((r) => r.roundId === adhoc.roundId)).toMatchObject({ kind: 'adhoc', state: 'open' });

    const receipt = await submitReport(env.client, world.db, adhoc.roundId, { unitId: prompt, reference: 'bao-cao-dot-xuat.pdf', submittedBy: prompt }, { patienceMs: 120_000 });
    // Whether it came before the deadline depends on how long the server waits for the dead worker.
    expect(receipt).toMatchObject({ unitId: prompt, version: 1, onTime: Date.parse(receipt.submittedAt) < deadline.getTime() });
    console.log(`submission taken by the new worker ${((Date.parse(receipt.submittedAt) - killedAt) / 1000).toFixed(1)} s after the kill`);

    // The deadline timer the first worker set fires on the second: the silent unit is overdue.
    const atDeadline = await eventually(async () => {
      const s = await round.query(shardStatusQuery);
      return s.units.find((u) => u.unitId === silent)?.status === 'overdue' ? s : null;
    }, deadline.getTime() - Date.now() + 60_000);
    expect(atDeadline.units.find((u) => u.unitId === prompt)?.status).toBe(receipt.onTime ? 'submitted' : 'late');
    const overdue = (await outboxOf(world.db, adhoc.roundId)).filter((n) => n.kind === 'overdue');
    // A submission the dead worker's sticky queue held up past the deadline left that unit overdue too.
    const dueAt = Date.parse(deadlineIso);
    const expected = (receipt.onTime ? [silent] : [prompt, silent]).map((unitId) => ({ unitId, at: dueAt }));
    expect(overdue.map((n) => ({ unitId: n.unitId, at: n.at })).sort((a, b) => a.unitId!.localeCompare(b.unitId!))).toEqual(
      expected.sort((a, b) => a.unitId.localeCompare(b.unitId)),
    );

    // Both workers worked on the round: the first opened it, the second took the rest.
    const identities = new Set<string>();
    for (const e of (await round.fetchHistory()).events ?? []) {
      const id = e.workflowTaskStartedEventAttributes?.identity;
      if (id) identities.add(id);
    }
    const second_ = `${second.pid}@`;
    expect([...identities].some((i) => i.startsWith(identityOfA))).toBe(true);
    expect([...identities].some((i) => i.startsWith(second_))).toBe(true);
    await stop(second, 'SIGTERM');
  }, 420_000);
});

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

/** Polls until `probe` returns a value (not null), retrying on errors, or fails after `timeoutMs`. */
async function eventually<T>(probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`gave up after ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
