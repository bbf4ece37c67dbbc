import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { kybao, type CliResult } from '../cli/run';
import { createTestWorker } from './temporal';
import { closeTestbed, createTestbed, type Testbed } from './testbed';

export interface CliBed extends Testbed {
  taskQueue: string;
  /** The environment `bin/kybao` runs with, so that it reaches this server, this worker and this database. */
  cli: Record<string, string>;
  /** A temp folder for the test's files; submissions are stored under it. */
  tmp: string;
  run(...args: string[]): Promise<CliResult>;
}

/**
 * useTestbed for tests of the command line: a Temporal server (a dev server, or the time-skipping one
 * with its clock at `startAt`) and a world, plus a worker running in this process, so that `bin/kybao`
 * started as a child process finds workflows that make progress. `extraEnv` is added to `cli`.
 */
export function useCliBed(server: { server: 'dev'; devServerArgs?: string[] } | { startAt: string }, extraEnv: Record<string, string> = {}): () => CliBed {
  let bed: Partial<Testbed> = {};
  let ready: CliBed | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let tmp: string | undefined;
  beforeAll(async () => {
    bed = await createTestbed('startAt' in server ? { startAt: server.startAt } : { server: 'dev', ...(server.devServerArgs ? { devServerArgs: server.devServerArgs } : {}) });
    const { env, world } = bed as Testbed;
    const created = await createTestWorker(env, world.activities);
    worker = created.worker;
    running = worker.run();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kybao-cli-'));
    const cli = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      KYBAO_TASK_QUEUE: created.taskQueue,
      DATABASE_URL: world.url,
      KYBAO_SUBMISSIONS_DIR: path.join(tmp, 'submissions'),
      ...extraEnv,
    };
    ready = { env, world, taskQueue: created.taskQueue, cli, tmp, run: (...args) => kybao(args, cli) };
  }, 600_000);
  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await closeTestbed(bed);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  return () => {
    if (!ready) throw new Error('the CLI testbed is set up in beforeAll; use it inside a test');
    return ready;
  };
}
