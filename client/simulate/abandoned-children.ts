import type { TestWorkflowEnvironment } from '@temporalio/testing';

/**
 * Works around a defect of the Java time-skipping test server, not a Temporal behaviour.
 *
 * When a child workflow completes, the test server stops time skipping until the parent has taken the
 * completion (TestWorkflowMutableStateImpl.processCompleteWorkflowExecution: `lockTimer("… notify
 * parent") // unlocked by the parent`). A child abandoned by a parent run that has since continued as
 * new is never taken (the closed run answers NOT_FOUND, which the server swallows), so the lock stays and
 * time stands still for good. The real server (`temporal server start-dev`, production) has no such lock.
 *
 * The program continues as new after starting each yearly cycle, so every cycle it starts ends after the
 * run that started it. While this watcher runs, it looks at the given workflows and, for each that has
 * closed after the parent run that started it, releases that one lock.
 */
export interface AbandonedChildWatcher {
  /** How many leaked locks were released so far. */
  released(): number;
  stop(): Promise<void>;
}

export function releaseLocksOfAbandonedChildren(env: TestWorkflowEnvironment, workflowIds: string[], pollMs = 100): AbandonedChildWatcher {
  const service = env.connection.testService;
  if (!service) throw new Error('releaseLocksOfAbandonedChildren needs the time-skipping test server');
  const testService = service;
  const handled = new Set<string>();
  let released = 0;
  let stopped = false;

  async function closedAfterParentRun(workflowId: string): Promise<string | null> {
    const child = await env.client.workflow.getHandle(workflowId).describe();
    if (child.status.name === 'RUNNING' || handled.has(child.runId) || !child.closeTime) return null;
    const parent = child.raw.workflowExecutionInfo?.parentExecution;
    if (!parent?.workflowId || !parent.runId) return (handled.add(child.runId), null);
    const parentRun = await env.client.workflow.getHandle(parent.workflowId, parent.runId).describe();
    // A parent run still open (or closed later) took the completion itself: no lock was left behind.
    if (!parentRun.closeTime || parentRun.closeTime > child.closeTime) return (handled.add(child.runId), null);
    return child.runId;
  }

  async function sweep(): Promise<void> {
    for (const id of workflowIds) {
      const runId = await closedAfterParentRun(id).catch(() => null); // not started yet
      if (!runId) continue;
      handled.add(runId);
      await testService.unlockTimeSkipping({});
      released += 1;
    }
  }

  const loop = (async () => {
    while (!stopped) {
      await sweep();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();

  return {
    released: () => released,
    async stop() {
      stopped = true;
      await loop;
      // A child that closed since the last look still holds its lock: release it before leaving.
      await sweep();
    },
  };
}
