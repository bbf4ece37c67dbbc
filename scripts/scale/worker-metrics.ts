/**
 * The worker's own account of its workflow tasks, from the Prometheus metrics each worker process serves
 * (KYBAO_METRICS_ADDRESS; worker/telemetry.ts): the SDK's `temporal_workflow_task_execution_latency`
 * histogram, in milliseconds, for one task queue, summed over the processes.
 *
 * It measures what the issue's "under 1 s" is about: the time the worker spent running a task's
 * activation. The task time a history shows (WorkflowTaskStarted → WorkflowTaskCompleted, measure.ts)
 * adds the wait for the worker's one workflow thread behind the other slots' tasks, and a round trip.
 * A histogram gives bucket bounds, not exact values: each figure is "at most" its bucket's upper bound.
 */
export interface TaskExecutionFigures {
  /** Workflow tasks the worker ran. */
  tasks: number;
  /** Upper bound (ms) of the bucket holding the median task, and the 99th percentile's. */
  p50AtMostMs: number;
  p99AtMostMs: number;
  /** Upper bound (ms) of the highest bucket any task fell in (Infinity: above the last bound). */
  maxAtMostMs: number;
  /** Tasks that took longer than 1,000 ms. */
  overOneSecond: number;
}

/** Cumulative bucket counts by upper bound (ms), summed over several /metrics texts. */
export function executionBuckets(texts: string[], taskQueue: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!line.startsWith('temporal_workflow_task_execution_latency_bucket{') || !line.includes(`task_queue="${taskQueue}"`)) continue;
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const count = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (le === undefined || !Number.isFinite(count)) continue;
      const bound = le === '+Inf' ? Infinity : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + count);
    }
  }
  return buckets;
}

/** The figures of cumulative buckets; null when the worker ran no task (or served no metrics). */
export function taskExecutionFigures(buckets: Map<number, number>): TaskExecutionFigures | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const tasks = buckets.get(Infinity) ?? 0;
  if (!tasks) return null;
  const atQuantile = (q: number) => bounds.find((b) => buckets.get(b)! >= Math.ceil(q * tasks)) ?? Infinity;
  const withinOneSecond = bounds.filter((b) => b <= 1000).reduce((n, b) => Math.max(n, buckets.get(b)!), 0);
  return { tasks, p50AtMostMs: atQuantile(0.5), p99AtMostMs: atQuantile(0.99), maxAtMostMs: atQuantile(1), overOneSecond: tasks - withinOneSecond };
}

/** Reads every worker's /metrics and sums its task-execution histogram for `taskQueue`. */
export async function readTaskExecution(metricsUrls: string[], taskQueue: string): Promise<TaskExecutionFigures | null> {
  if (!metricsUrls.length) return null;
  const texts = await Promise.all(
    metricsUrls.map(async (url) => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return res.text();
    }),
  );
  return taskExecutionFigures(executionBuckets(texts, taskQueue));
}
