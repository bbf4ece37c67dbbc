import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, Runtime, DefaultLogger } from '@temporalio/worker';
import { TASK_QUEUE } from '../../workflows/task-queue';
import { workflowBundle } from './bundle';
import { temporalExecutable } from './toolchain';

let runtimeInstalled = false;

/** Worker logs would drown jest's output; warnings and errors still show. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/**
 * The Java test server with time skipping: timers fire as soon as the workflow waits on them. `startAt`
 * (an ISO instant with offset) starts its clock there, so a test can live through, say, 2015; the clock
 * then runs in real time between skips, so instants taken by the workflow itself are exact only to a
 * few hundred milliseconds, while timers fire exactly at their planned instants.
 */
export async function createTimeSkippingEnv(startAt?: string): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: { type: 'existing-path', path: temporalExecutable('test-server') },
      ...(startAt ? { extraArgs: [`--start=${startAt}`] } : {}),
    },
  });
}

/** A real `temporal server start-dev` (in-memory SQLite) on free ports, started for one test file. */
export async function createDevServerEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalExecutable('cli') }, ...(extraArgs.length ? { extraArgs } : {}) },
  });
}

/** A worker on the shared bundle with the given activities, on its own task queue per test. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  activities: object,
  taskQueue = `${TASK_QUEUE}-test-${Math.random().toString(36).slice(2, 8)}`,
): Promise<{ worker: Worker; taskQueue: string }> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  return { worker, taskQueue };
}

/**
 * Asserts that an Update was rejected (by its validator or handler) with a message matching `pattern`.
 * The client wraps the workflow's ApplicationFailure as the cause of a WorkflowUpdateFailedError.
 */
export async function expectUpdateRejected(update: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await update.then(
    () => {
      throw new Error(`expected the update to be rejected with ${pattern}, but it was accepted`);
    },
    (e: unknown) => e as Error & { cause?: Error },
  );
  expect(err.cause?.message ?? err.message).toMatch(pattern);
}

/** Waits until a workflow (e.g. a child its parent is about to start) exists, then returns its handle. */
export async function waitForWorkflow(env: TestWorkflowEnvironment, workflowId: string, timeoutMs = 30_000) {
  const handle = env.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await handle.describe();
      return handle;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`workflow ${workflowId} did not start within ${timeoutMs} ms: ${String(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
