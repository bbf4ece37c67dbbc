import { executionBuckets, taskExecutionFigures, taskExecutionOf } from '../../scripts/scale/worker-metrics';

/**
 * The scale scenario's reading of the workers' task-execution histogram (Prometheus text, cumulative
 * buckets in ms): summed over processes, one task queue only, quantiles as bucket bounds.
 */
const histogram = (queue: string, counts: Array<[string, number]>, workflowType = 'roundShardWorkflow', timestamp = '') =>
  [
    '# HELP temporal_workflow_task_execution_latency Histogram of workflow task execution latencies',
    '# TYPE temporal_workflow_task_execution_latency histogram',
    ...counts.map(([le, n]) => `temporal_workflow_task_execution_latency_bucket{namespace="default",service_name="temporal-core-sdk",task_queue="${queue}",workflow_type="${workflowType}",le="${le}"} ${n}${timestamp}`),
    `temporal_workflow_task_execution_latency_count{namespace="default",task_queue="${queue}"} ${counts[counts.length - 1]![1]}`,
  ].join('\n');

describe('worker task execution figures', () => {
  it('sums two processes, ignores other task queues, and gives each quantile as its bucket bound', () => {
    // The SDK core's bounds (ms), cumulative counts; two workflow types in one process.
    const core = (counts: number[]) => ['1', '10', '20', '50', '100', '200', '500', '1000', '+Inf'].map((le, i): [string, number] => [le, counts[i]!]);
    const a = histogram('kybao-scale', core([0, 30, 40, 50, 90, 95, 98, 100, 100]), 'roundShardWorkflow');
    const a2 = histogram('kybao-scale', core([0, 0, 0, 0, 0, 0, 0, 0, 0]), 'roundWorkflow');
    const b = histogram('kybao-scale', core([0, 20, 30, 40, 96, 97, 98, 99, 100]), 'roundShardWorkflow', ' 1764536400000');
    const other = histogram('another-queue', core([0, 0, 0, 0, 0, 0, 0, 0, 5000]), 'roundShardWorkflow');
    const f = taskExecutionFigures(executionBuckets([a + '\n' + a2, b, other], 'kybao-scale'));
    // 200 tasks: 90 within 50 ms, 186 within 100 (the median, the 100th, is there), 192 within 200, 196
    // within 500, 199 within 1,000 (the 99th percentile is the 198th), 1 above.
    expect(f).toEqual({ tasks: 200, p50AtMostMs: 100, p99AtMostMs: 1000, maxAtMostMs: null, overOneSecond: 1, overOneSecondByWorkflowType: {} });
    // Read whole, the slow task is told by its workflow type.
    expect(taskExecutionOf([a + '\n' + a2, b, other], 'kybao-scale')).toEqual({ ...f, overOneSecondByWorkflowType: { roundShardWorkflow: 1 } });
    // Everything within 200 ms: the slowest is bounded too.
    expect(taskExecutionFigures(executionBuckets([histogram('q', core([0, 5, 9, 9, 9, 10, 10, 10, 10]), 'w')], 'q'))).toEqual({ tasks: 10, p50AtMostMs: 10, p99AtMostMs: 200, maxAtMostMs: 200, overOneSecond: 0, overOneSecondByWorkflowType: {} });
  });

  it('says nothing when the worker ran no task on that queue', () => {
    expect(taskExecutionFigures(executionBuckets([histogram('another-queue', [['10', 1], ['+Inf', 1]])], 'kybao-scale'))).toBeNull();
    expect(taskExecutionFigures(executionBuckets([''], 'kybao-scale'))).toBeNull();
  });
});
