import { executionBuckets, taskExecutionFigures } from '../../scripts/scale/worker-metrics';

/**
 * The scale scenario's reading of the workers' task-execution histogram (Prometheus text, cumulative
 * buckets in ms): summed over processes, one task queue only, quantiles as bucket bounds.
 */
const histogram = (queue: string, counts: Array<[string, number]>) =>
  [
    '# HELP temporal_workflow_task_execution_latency Histogram of workflow task execution latencies',
    '# TYPE temporal_workflow_task_execution_latency histogram',
    ...counts.map(([le, n]) => `temporal_workflow_task_execution_latency_bucket{namespace="default",service_name="temporal-core-sdk",task_queue="${queue}",workflow_type="roundShardWorkflow",le="${le}"} ${n}`),
    `temporal_workflow_task_execution_latency_count{namespace="default",task_queue="${queue}"} ${counts[counts.length - 1]![1]}`,
  ].join('\n');

describe('worker task execution figures', () => {
  it('sums two processes, ignores other task queues, and gives each quantile as its bucket bound', () => {
    const a = histogram('kybao-scale', [['10', 50], ['100', 90], ['1000', 100], ['+Inf', 100]]);
    const b = histogram('kybao-scale', [['10', 40], ['100', 96], ['1000', 99], ['+Inf', 100]]);
    const other = histogram('another-queue', [['10', 0], ['100', 0], ['1000', 0], ['+Inf', 5000]]);
    const f = taskExecutionFigures(executionBuckets([a, b, other], 'kybao-scale'));
    // 200 tasks: 90 within 10 ms (median is the 100th: bucket 100), 186 within 100, 199 within 1,000, 1 above.
    expect(f).toEqual({ tasks: 200, p50AtMostMs: 100, p99AtMostMs: 1000, maxAtMostMs: Infinity, overOneSecond: 1 });
  });

  it('says nothing when the worker ran no task on that queue', () => {
    expect(taskExecutionFigures(executionBuckets([histogram('another-queue', [['10', 1], ['+Inf', 1]])], 'kybao-scale'))).toBeNull();
    expect(taskExecutionFigures(executionBuckets([''], 'kybao-scale'))).toBeNull();
  });
});
