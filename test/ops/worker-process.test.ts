import { DateTime } from 'luxon';
import { Client as PgClient } from 'pg';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { roundInput } from '../../domain/round/from-schedule';
import { pgPoolConfig } from '../../infra/db/database-url';
import { roundIdOf, roundShardWorkflowId, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { freePort, spawnWorker, type WorkerProcess } from '../../scripts/faults/worker-process';
import { useTestbed } from '../helpers/testbed';
import { activityWorkerEnv } from '../helpers/worker-env';

/**
 * The worker process as a province's IT office runs it (worker/main.ts on a real dev server): its
 * /healthz and /readyz, its JSON log lines with the workflow, round and unit ids, its Prometheus metrics
 * with the workflow task latency histogram, and SIGTERM while an activity is in flight: the activity
 * finishes (once, by that worker) before the process exits 0, and a new worker takes the round on.
 *
 * The in-flight activity is held by a real lock: the test locks the Submission table in PostgreSQL, so the
 * worker's recordSubmissions waits asynchronously inside its transaction. (SQLite's driver waits for a lock
 * synchronously, blocking the worker's event loop, so it cannot show a signal arriving mid-activity.)
 */
const pgUrl = process.env.KYBAO_TEST_POSTGRES_URL;
const taskQueue = `kybao-ops-${process.pid}`;

async function getJson(url: string): Promise<{ status: number; body: { ok: boolean; problems?: string[] } }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as { ok: boolean; problems?: string[] } };
}

async function eventually<T>(probe: () => Promise<T | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the worker process in operation (dev server, worker/main.ts)', () => {
  const bed = useTestbed({ server: 'dev', ...(pgUrl ? { provider: 'postgresql' as const } : {}) });
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
  });

  async function startWorker(name: string): Promise<{ w: WorkerProcess; health: string; metrics: string }> {
    const { env, world } = bed();
    const [healthPort, metricsPort] = [await freePort(), await freePort()];
    const w = spawnWorker(name, {
      TEMPORAL_ADDRESS: env.address,
      KYBAO_TASK_QUEUE: taskQueue,
      ...activityWorkerEnv(world, 'ops-test-link-secret-0123456789abcdef0123'),
      KYBAO_WORKER_HEALTH_PORT: String(healthPort),
      KYBAO_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      KYBAO_WORKER_SHUTDOWN_GRACE_SECONDS: '30',
      KYBAO_LOG_LEVEL: 'info',
    });
    workers.push(w);
    await w.waitForLine((l) => l.msg === 'health listener ready (/healthz, /readyz)', 90_000);
    return { w, health: `http://127.0.0.1:${healthPort}`, metrics: `http://127.0.0.1:${metricsPort}/metrics` };
  }

  let first: Awaited<ReturnType<typeof startWorker>>;
  let roundId: string;
  let units: string[];

  it('is live at once and ready when it polls and Temporal and the database answer', async () => {
    first = await startWorker('A');
    expect(await getJson(`${first.health}/healthz`)).toEqual({ status: 200, body: { ok: true } });
    const ready = await eventually(async () => {
      const r = await getJson(`${first.health}/readyz`);
      return r.status === 200 ? r : null;
    }, 30_000, '/readyz 200');
    expect(ready.body).toEqual({ ok: true, problems: [] });
    expect((await fetch(`${first.health}/metrics`)).status).toBe(404);
    // The start-up line carries the configuration with its secrets masked.
    const start = first.w.lines.find((l) => l.msg === 'kybao worker starting')!;
    expect((start.config as Record<string, unknown>).KYBAO_LINK_SECRET).toBe('********');
    expect(JSON.stringify(first.w.lines)).not.toContain('ops-test-link-secret');
  });

  it('logs one JSON line per activity with its workflow, round and unit ids', async () => {
    const { env, world } = bed();
    units = world.program.units.filter((u) => u.reports).slice(0, 2).map((u) => u.id);
    roundId = roundIdOf(world.program.id, `ops-${process.pid}`);
    const deadline = DateTime.now().setZone(world.program.timeZone).plus({ days: 8 }).startOf('day').toISO()!;
    const input = roundInput(world.outline, { roundId, kind: 'adhoc', year: DateTime.now().setZone(world.program.timeZone).year, title: { vi: 'Báo cáo vận hành', en: 'Operations report' }, deadline, audience: { unitIds: units } });
    await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(roundId), args: [input] });
    const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue, busyRetryMs: 60_000 });
    await eventually(() => world.db.obligation.count({ where: { roundId } }).then((n) => (n === 2 ? n : null)), 60_000, 'obligations written');
    const receipt = await eventually(() => gateway.submitReport(roundId, { unitId: units[0]!, submittedBy: `clerk@${units[0]}`, reference: 'ops/bao-cao.pdf' }, Date.now()), 60_000, 'receipt');
    expect(receipt).toMatchObject({ unitId: units[0], version: 1 });

    const line = await first.w.waitForLine((l) => l.msg === 'activity completed' && l.activityType === 'recordSubmissions', 30_000);
    expect(line).toMatchObject({
      level: 'info',
      process: 'kybao-worker',
      workflowId: roundShardWorkflowId(roundId, 1),
      workflowType: 'roundShardWorkflow',
      roundId,
      unitIds: [units[0]],
      unitCount: 1,
      taskQueue,
      attempt: 1,
    });
    expect(typeof line.durationMs).toBe('number');
    expect(Date.parse(line.time as string)).toBeGreaterThan(Date.now() - 120_000);
    // The round's own opening activity names the round too (its input carries it inside `input`).
    expect(first.w.lines.find((l) => l.msg === 'activity completed' && l.activityType === 'openRound')).toMatchObject({ roundId, workflowId: roundWorkflowId(roundId) });
    console.log(`log line: ${JSON.stringify(line)}`);
  });

  it('serves Prometheus metrics with the workflow task execution latency histogram', async () => {
    const text = await (await fetch(first.metrics)).text();
    const buckets = text.split('\n').filter((l) => l.startsWith('temporal_workflow_task_execution_latency_bucket{') && l.includes(`task_queue="${taskQueue}"`));
    expect(buckets.length).toBeGreaterThan(3);
    const count = text.split('\n').find((l) => l.startsWith('temporal_workflow_task_execution_latency_count{') && l.includes(`task_queue="${taskQueue}"`));
    expect(Number(count?.split(' ').pop())).toBeGreaterThan(0);
    expect(text).toContain('# TYPE temporal_workflow_task_execution_latency histogram');
    console.log(`metrics: ${count}`);
  });

  (pgUrl ? it : it.skip)('on SIGTERM finishes the activity in flight, turns unready, exits 0; a new worker carries on', async () => {
    const { env, world } = bed();
    const lock = new PgClient(pgPoolConfig(world.url));
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "Submission" IN ACCESS EXCLUSIVE MODE');
      const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue, busyRetryMs: 120_000, updateTimeoutMs: 120_000 });
      const receipt = gateway.submitReport(roundId, { unitId: units[1]!, submittedBy: `clerk@${units[1]}`, reference: 'ops/bao-cao-2.pdf' }, Date.now());
      receipt.catch(() => undefined);
      const shard = env.client.workflow.getHandle(roundShardWorkflowId(roundId, 1));
      // The activity has started on the worker and waits for the lock.
      await eventually(async () => ((await shard.describe()).raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'recordSubmissions' && Number(a.state) === 2 /* PENDING_ACTIVITY_STATE_STARTED */) ? true : null, 30_000, 'recordSubmissions started');
      await new Promise((r) => setTimeout(r, 500));

      const signalledAt = Date.now();
      first.w.child.kill('SIGTERM');
      await first.w.waitForLine((l) => l.msg === 'shutdown requested: no new tasks, finishing the activities in flight', 10_000);
      const draining = await eventually(async () => {
        const r = await getJson(`${first.health}/readyz`);
        return r.status === 503 ? r : null;
      }, 10_000, '/readyz 503 while draining');
      expect(draining.body.problems?.join()).toMatch(/^worker: (stopping|draining|drained)/);
      expect(await getJson(`${first.health}/healthz`)).toEqual({ status: 200, body: { ok: true } });
      // Still waiting for the lock: the worker has not exited.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(first.w.child.exitCode).toBeNull();
      await lock.query('COMMIT');

      const exit = await first.w.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      console.log(`worker A exited 0 ${Date.now() - signalledAt} ms after SIGTERM`);
      const done = first.w.lines.find((l) => l.msg === 'activity completed' && l.activityType === 'recordSubmissions' && (l.unitIds as string[])[0] === units[1]);
      expect(done).toMatchObject({ roundId, attempt: 1 });
      expect(first.w.lines.findIndex((l) => l === done)).toBeLessThan(first.w.lines.findIndex((l) => l.msg === 'worker stopped'));

      // History: that activity ran once, on worker A, and completed there.
      const events = (await shard.fetchHistory()).events ?? [];
      const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordSubmissions').pop()!;
      const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId))!;
      const completed = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled.eventId));
      expect(started.activityTaskStartedEventAttributes).toMatchObject({ attempt: 1 });
      expect(started.activityTaskStartedEventAttributes?.identity).toMatch(new RegExp(`^${first.w.pid}@`));
      expect(completed).toBeDefined();

      // A new worker takes the round on: the receipt arrives, and the submission is stored once.
      const second = await startWorker('B');
      expect(await receipt).toMatchObject({ unitId: units[1], version: 1 });
      expect(await world.db.submission.count({ where: { obligation: { roundId, unitId: units[1] } } })).toBe(1);
      await second.w.stop('SIGTERM');
      expect(await second.w.exited).toEqual({ code: 0, signal: null });
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
    }
  });
});
