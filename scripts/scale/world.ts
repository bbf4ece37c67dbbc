import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { toolchainExecutable } from '../../client/simulate/environment';
import { workflowBundle } from '../../infra/workflow-bundle';
import { wireWorld, type WiredWorld } from '../../client/simulate/world';
import { ensureClientsGenerated, migrateDeploy } from '../../infra/db/migrate';
import type { Program } from '../../domain/program/schema';

/**
 * The scale scenario's world: a Temporal server (a dev server with its SQLite file, or the time-skipping
 * one), a fresh kybao database with the program loaded, a loopback mail sink, and the worker on the real
 * workflows and activities, all in a folder of its own.
 *
 * The worker runs either in this process (`workerProcesses: 0`, as the time-skipping lifecycle needs) or
 * as `workerProcesses` separate `bin/kybao-worker` processes on the same task queue, as deployed: the
 * clients submitting (this process) and the worker then run on different cores instead of sharing one
 * Node thread. With `splitWorker` one more process runs the workflow tasks alone (KYBAO_WORKER_ROLE=
 * workflows) and the `workerProcesses` run the activities.
 */
export interface ScaleWorld {
  env: TestWorkflowEnvironment;
  world: WiredWorld;
  /** The in-process worker (null when the worker runs as separate processes). */
  worker: Worker | null;
  /** Worker processes started (0: the worker runs in this process). */
  workerProcesses: number;
  /** Each worker process's KYBAO_WORKER_ROLE, in start order (empty for the in-process worker). */
  workerRoles: WorkerRole[];
  /** Each worker process's Prometheus endpoint (worker/telemetry.ts); empty for the in-process worker. */
  metricsUrls: string[];
  taskQueue: string;
  dir: string;
  /** Seconds the program load took (10,000 units and their contacts). */
  loadSeconds: number;
  /** Runs `fn` while the worker polls (the in-process worker's runUntil, or the worker processes already running). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ScaleWorldOptions {
  program: Program;
  server: 'dev' | { timeSkippingFrom: string };
  dir?: string;
  /** 0 (default): the worker in this process; n ≥ 1: n `bin/kybao-worker` processes (a dev server only). */
  workerProcesses?: number;
  /** With workerProcesses ≥ 1: one more process runs the workflow tasks, the n others the activities only. */
  splitWorker?: boolean;
}

export type WorkerRole = 'all' | 'workflows' | 'activities';

export async function createScaleWorld(options: ScaleWorldOptions): Promise<ScaleWorld> {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'kybao-scale-'));
  const quiet = () => undefined;
  await ensureClientsGenerated({ log: quiet });
  const url = `file:${path.join(dir, 'kybao.db')}`;
  await migrateDeploy(url, { log: quiet });
  const env =
    options.server === 'dev'
      ? await TestWorkflowEnvironment.createLocal({
          server: { executable: { type: 'existing-path', path: toolchainExecutable('cli') }, dbFilename: path.join(dir, 'temporal.db'), log: { format: 'pretty', level: 'error' } },
        })
      : await (await import('../../client/simulate/environment')).startTimeSkippingServer(options.server.timeSkippingFrom);
  const loadStarted = Date.now();
  // The worker's tuning comes from this process's environment, read by the worker's own schema
  // (infra/config.ts), so the scenario measures the worker as deployed with the same settings.
  const tuning = Object.fromEntries(WORKER_TUNING.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  const world = await wireWorld({ url, program: options.program, dir, actor: 'scale', env: { KYBAO_BASE_URL: 'https://kybao.scale', ...tuning } });
  const loadSeconds = (Date.now() - loadStarted) / 1000;
  const taskQueue = 'kybao-scale';
  const processes = options.workerProcesses ?? 0;
  if (processes > 0) {
    if (options.server !== 'dev') throw new Error('worker processes need the dev server (the time-skipping server runs its worker in this process)');
    const roles: WorkerRole[] = options.splitWorker ? ['workflows', ...Array.from({ length: processes }, () => 'activities' as const)] : Array.from({ length: processes }, () => 'all' as const);
    // A worker that does not start leaves nothing behind: the dev server and the mail sink are closed too.
    const { children, metricsUrls } = await startWorkerProcesses({ roles, env, world, taskQueue, dir }).catch(async (err: unknown) => {
      await world.close().catch(() => undefined);
      await env.teardown().catch(() => undefined);
      throw err;
    });
    return {
      env,
      world,
      worker: null,
      workerProcesses: roles.length,
      workerRoles: roles,
      metricsUrls,
      taskQueue,
      dir,
      loadSeconds,
      run: (fn) => fn(),
      async close() {
        await stopWorkerProcesses(children);
        await world.close();
        await env.teardown();
      },
    };
  }
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: world.activities,
    // As the worker process does (worker/run.ts).
    maxConcurrentWorkflowTaskExecutions: world.env.KYBAO_WORKFLOW_TASK_SLOTS,
    stickyQueueScheduleToStartTimeout: world.env.KYBAO_STICKY_QUEUE_TIMEOUT_SECONDS * 1000,
  });
  return {
    env,
    world,
    worker,
    workerProcesses: 0,
    workerRoles: [],
    metricsUrls: [],
    taskQueue,
    dir,
    loadSeconds,
    run: (fn) => worker.runUntil(fn),
    async close() {
      await world.close();
      await env.teardown();
    },
  };
}

/** p50 / p99 / max of a list of milliseconds. */
export function percentiles(values: number[]): { p50: number; p99: number; max: number; count: number } {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : 0);
  return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), max: Math.round(s[s.length - 1] ?? 0), count: s.length };
}

/** Runs `task` over `items` with `width` concurrent callers sharing one queue. */
export async function concurrently<T>(items: T[], width: number, task: (item: T, caller: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async (_, caller) => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, caller);
      }
    }),
  );
}

/** Worker settings (infra/config.ts) passed from this process's environment to the worker it measures. */
const WORKER_TUNING = ['KYBAO_WORKFLOW_TASK_SLOTS', 'KYBAO_STICKY_QUEUE_TIMEOUT_SECONDS'] as const;

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Starts one deployed worker (bin/kybao-worker) per role on the world's database, Temporal server, task
 * queue and mail sink, and waits until each polls the task queue for what its role takes (a minute at
 * most). Their logs go to `dir/worker-<n>.log` (level warn: the per-activity info lines would cost CPU
 * the burst measures). The outbox dispatcher is off, as in the in-process world (notices are queued, not
 * delivered), so the two modes do the same work. With KYBAO_SCALE_WORKER_NODE_ARGS set (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof",
 * options node refuses in NODE_OPTIONS) the worker's sources run with those node options instead.
 */
async function startWorkerProcesses(options: { roles: WorkerRole[]; env: TestWorkflowEnvironment; world: WiredWorld; taskQueue: string; dir: string }): Promise<{ children: ChildProcess[]; metricsUrls: string[] }> {
  const { env, world, taskQueue, dir } = options;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: world.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    KYBAO_TASK_QUEUE: taskQueue,
    SMTP_HOST: world.env.SMTP_HOST,
    SMTP_PORT: String(world.env.SMTP_PORT),
    KYBAO_REPORTS_DIR: path.join(dir, 'reports'),
    KYBAO_BASE_URL: world.env.KYBAO_BASE_URL,
    // A throw-away secret for this run's throw-away world (links in queued mail are signed with it).
    KYBAO_LINK_SECRET: randomBytes(32).toString('hex'),
    MAIL_DISPATCHER: 'false',
    KYBAO_LOG_LEVEL: 'warn',
    KYBAO_WORKFLOW_TASK_SLOTS: String(world.env.KYBAO_WORKFLOW_TASK_SLOTS),
    KYBAO_STICKY_QUEUE_TIMEOUT_SECONDS: String(world.env.KYBAO_STICKY_QUEUE_TIMEOUT_SECONDS),
  };
  const nodeArgs = process.env.KYBAO_SCALE_WORKER_NODE_ARGS?.split(' ').filter(Boolean);
  const [command, args] = nodeArgs?.length
    ? [process.execPath, [...nodeArgs, '--import', 'tsx', path.join(REPO_ROOT, 'worker', 'main.ts')]]
    : [path.join(REPO_ROOT, 'bin', 'kybao-worker'), []];
  const children: ChildProcess[] = [];
  const metricsUrls: string[] = [];
  for (const [index, role] of options.roles.entries()) {
    const i = index + 1;
    const log = createWriteStream(path.join(dir, `worker-${i}.log`));
    // Each process serves its own metrics: the scenario reads the worker's task execution times there.
    const metricsAddress = `127.0.0.1:${await freePort()}`;
    metricsUrls.push(`http://${metricsAddress}/metrics`);
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...childEnv, KYBAO_METRICS_ADDRESS: metricsAddress, KYBAO_WORKER_ROLE: role }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    children.push(child);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exited = children.find((c) => c.exitCode !== null);
    if (exited) {
      await stopWorkerProcesses(children);
      throw new Error(`a worker process exited with status ${exited.exitCode} before polling; see ${dir}/worker-*.log`);
    }
    // Workflow pollers come from `all` and `workflows` processes, activity pollers from `all` and `activities`.
    const pollers = async (taskQueueType: number) =>
      (await env.client.workflowService.describeTaskQueue({ namespace: env.namespace ?? 'default', taskQueue: { name: taskQueue }, taskQueueType })).pollers?.length ?? 0;
    const wanted = (skip: WorkerRole) => options.roles.filter((r) => r !== skip).length;
    if ((await pollers(1 /* workflow */)) >= wanted('activities') && (await pollers(2 /* activity */)) >= wanted('workflows')) return { children, metricsUrls };
    if (Date.now() > deadline) {
      await stopWorkerProcesses(children);
      throw new Error(`${options.roles.length} worker processes (${options.roles.join(', ')}) did not poll task queue ${taskQueue} within a minute; see ${dir}/worker-*.log`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A TCP port free on loopback now (the OS picks it). Another process could take it before the worker
 * binds it; the worker then exits and startWorkerProcesses says so ("exited … before polling").
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** SIGTERM (the worker drains and exits), then SIGKILL after 30 s. */
async function stopWorkerProcesses(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
