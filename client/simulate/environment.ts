import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { REPO_ROOT } from '../../infra/db/database-url';
import { workflowBundle } from '../../infra/workflow-bundle';

/**
 * Temporal for simulations, the history recorder and tests that run outside the main job: the Java
 * time-skipping test server (built by scripts/toolchain.sh) with its clock started at a chosen instant,
 * and a worker on the real workflow code.
 */

let runtimeInstalled = false;

/** Worker and bundler chatter would drown a command's output; warnings and errors still show. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // Core's own log lines are forwarded to the logger (stderr), errors only, so stdout stays data.
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // Already installed by the caller (e.g. a test helper): keep theirs.
  }
}

/** Path of a Temporal executable from scripts/toolchain.sh (KYBAO_TEMPORAL_CLI / KYBAO_TEST_SERVER win). */
export function toolchainExecutable(kind: 'cli' | 'test-server'): string {
  const fromEnv = kind === 'cli' ? process.env.KYBAO_TEMPORAL_CLI : process.env.KYBAO_TEST_SERVER;
  if (fromEnv) return fromEnv;
  return execFileSync('bash', [path.join(REPO_ROOT, 'scripts/toolchain.sh'), kind], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/**
 * The time-skipping server with its clock at `startAt` (ISO instant with offset). The instant goes to the
 * server wrapper as `--start=<instant>` (scripts/toolchain.sh), not through this process's environment:
 * under jest, `process.env` is a sandboxed copy the SDK's native layer never sees.
 */
export async function startTimeSkippingServer(startAt?: string): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  if (startAt && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:\d{2})$/.test(startAt)) {
    throw new Error(`start instant "${startAt}" must be ISO-8601 with an offset, e.g. 2014-11-20T09:00:00+07:00`);
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: { type: 'existing-path', path: toolchainExecutable('test-server') },
      ...(startAt ? { extraArgs: [`--start=${startAt}`] } : {}),
    },
  });
  if (startAt) {
    const now = await env.currentTimeMs();
    if (Math.abs(now - Date.parse(startAt)) > 60 * 60_000) {
      await env.teardown();
      throw new Error(
        `the test server did not start its clock at ${startAt} (it says ${new Date(now).toISOString()}); rebuild it with "bash scripts/toolchain.sh test-server"`,
      );
    }
  }
  return env;
}

export async function createSimulationWorker(env: TestWorkflowEnvironment, activities: object, taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
}
