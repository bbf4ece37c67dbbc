/**
 * The worker's own account of its workflow tasks, from the Prometheus metrics each worker process serves
 * (KYBAO_METRICS_ADDRESS; worker/telemetry.ts): the SDK's `temporal_workflow_task_execution_latency`
 * histogram, in milliseconds, for one task queue, summed over the processes and workflow types.
 *
 * The SDK's core times a task from when the polled task reaches its processing to when its completion has
 * been answered by the server; the history's interval (WorkflowTaskStarted → WorkflowTaskCompleted,
 * measure.ts) starts earlier, at the poll. Core's buckets for it are 1, 10, 20, 50, 100, 200, 500 and
 * 1,000 ms, so each figure is "at most" a bucket's bound, and a task over 1 s is only known to be over
 * it (the bound is then null). Tasks over 1 s are counted exactly, 1,000 being a bound.
 */
export interface TaskExecutionFigures {
  /** Workflow tasks the worker ran. */
  tasks: number;
  /** Upper bound (ms) of the bucket holding the median task, the 99th percentile's and the slowest's; null: above the last bound. */
  p50AtMostMs: number | null;
  p99AtMostMs: number | null;
  maxAtMostMs: number | null;
  /** Tasks that took longer than 1,000 ms (exact when 1,000 is a bound, as in the SDK's core). */
  overOneSecond: number;
  /** The same count by workflow type (the series' `workflow_type` label), types with none left out. */
  overOneSecondByWorkflowType: Record<string, number>;
}

const SERIES = 'temporal_workflow_task_execution_latency_bucket{';

/**
 * Cumulative bucket counts by upper bound (ms), summed over several /metrics texts and every series of
 * `taskQueue` (of one workflow type only, when `workflowType` is given).
 */
export function executionBuckets(texts: string[], taskQueue: string, workflowType?: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!line.startsWith(SERIES) || !line.includes(`task_queue="${taskQueue}"`)) continue;
      if (workflowType !== undefined && !line.includes(`workflow_type="${workflowType}"`)) continue;
      const le = /le="([^"]+)"/.exec(line)?.[1];
      // The sample's value is the first token after the labels (a timestamp may follow it).
      const value = line.slice(line.indexOf('}') + 1).trim().split(/\s+/)[0] ?? '';
      const count = value === '' ? NaN : Number(value);
      if (le === undefined || !Number.isFinite(count)) continue;
      const bound = le === '+Inf' ? Infinity : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + count);
    }
  }
  return buckets;
}

/** The workflow types of the task-execution series of `taskQueue`. */
export function workflowTypesOf(texts: string[], taskQueue: string): string[] {
  const types = new Set<string>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!line.startsWith(SERIES) || !line.includes(`task_queue="${taskQueue}"`)) continue;
      const type = /workflow_type="([^"]*)"/.exec(line)?.[1];
      if (type !== undefined) types.add(type);
    }
  }
  return [...types].sort();
}

/** Tasks over 1,000 ms in cumulative buckets (exact when 1,000 is a bound). */
function overOneSecondOf(buckets: Map<number, number>): number {
  const withinOneSecond = [...buckets.keys()].filter((b) => b <= 1000).reduce((n, b) => Math.max(n, buckets.get(b)!), 0);
  return (buckets.get(Infinity) ?? 0) - withinOneSecond;
}

/**
 * The figures of /metrics texts for `taskQueue`; null when the worker ran no task (or served no
 * metrics). The slow tasks are also counted by workflow type, to say which workflow they came from.
 */
export function taskExecutionOf(texts: string[], taskQueue: string): TaskExecutionFigures | null {
  const figures = taskExecutionFigures(executionBuckets(texts, taskQueue));
  if (!figures) return null;
  for (const type of workflowTypesOf(texts, taskQueue)) {
    const over = overOneSecondOf(executionBuckets(texts, taskQueue, type));
    if (over > 0) figures.overOneSecondByWorkflowType[type] = over;
  }
  return figures;
}

/** The figures of cumulative buckets; null when the worker ran no task (or served no metrics). */
export function taskExecutionFigures(buckets: Map<number, number>): TaskExecutionFigures | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const tasks = buckets.get(Infinity) ?? 0;
  if (!tasks) return null;
  // The rank of quantile q among `tasks` (1-based), in integers: ceil(q × tasks) with q in hundredths.
  const bound = (hundredths: number) => {
    const rank = Math.ceil((hundredths * tasks) / 100);
    const b = bounds.find((x) => buckets.get(x)! >= rank) ?? Infinity;
    return Number.isFinite(b) ? b : null;
  };
  return { tasks, p50AtMostMs: bound(50), p99AtMostMs: bound(99), maxAtMostMs: bound(100), overOneSecond: overOneSecondOf(buckets), overOneSecondByWorkflowType: {} };
}

/**
 * Reads every worker's /metrics (10 s each) and sums its task-execution histogram for `taskQueue`. An
 * endpoint that does not answer loses this figure only, not the run's: a warning, and null.
 */
export async function readTaskExecution(metricsUrls: string[], taskQueue: string, warn: (line: string) => void = () => undefined): Promise<TaskExecutionFigures | null> {
  if (!metricsUrls.length) return null;
  try {
    const texts = await Promise.all(
      metricsUrls.map(async (url) => {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        return res.text();
      }),
    );
    return taskExecutionOf(texts, taskQueue);
  } catch (err) {
    warn(`the workers' metrics could not be read (${(err as Error).message}); the summary has no worker task times`);
    return null;
  }
}
