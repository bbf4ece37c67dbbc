import { mkdtempSync } from 'node:fs';
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
 * one), a fresh kybao database with the program loaded, a loopback mail sink, and one worker on the real
 * workflows and activities, all in a folder of its own.
 */
export interface ScaleWorld {
  env: TestWorkflowEnvironment;
  world: WiredWorld;
  worker: Worker;
  taskQueue: string;
  dir: string;
  /** Seconds the program load took (10,000 units and their contacts). */
  loadSeconds: number;
  close(): Promise<void>;
}

export async function createScaleWorld(options: { program: Program; server: 'dev' | { timeSkippingFrom: string }; dir?: string }): Promise<ScaleWorld> {
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
  const world = await wireWorld({ url, program: options.program, dir, actor: 'scale', env: { KYBAO_BASE_URL: 'https://kybao.scale' } });
  const loadSeconds = (Date.now() - loadStarted) / 1000;
  const taskQueue = 'kybao-scale';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: world.activities,
    // As the worker process does (infra/config.ts: KYBAO_WORKFLOW_TASK_SLOTS, default 8).
    maxConcurrentWorkflowTaskExecutions: workflowTaskSlots(),
  });
  return {
    env,
    world,
    worker,
    taskQueue,
    dir,
    loadSeconds,
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

/** KYBAO_WORKFLOW_TASK_SLOTS as the worker reads it (2–1000, default 8): the scale scenario measures the worker as deployed. */
function workflowTaskSlots(): number {
  const raw = process.env.KYBAO_WORKFLOW_TASK_SLOTS;
  const n = raw === undefined ? 8 : Number(raw);
  if (!Number.isInteger(n) || n < 2 || n > 1_000) throw new Error(`KYBAO_WORKFLOW_TASK_SLOTS must be a whole number from 2 to 1000, got "${raw}"`);
  return n;
}
