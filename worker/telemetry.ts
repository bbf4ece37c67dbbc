import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger as Pino } from 'pino';
import type { Env } from '../infra/config';
import { PinoTemporalLogger } from './logging';

/**
 * Installs the Temporal SDK's process-wide runtime for the worker, once, before any connection:
 * - its logger is the JSON log (worker/logging.ts), and the Rust core's own warnings are forwarded into
 *   it, so every line the process writes is one JSON object;
 * - with KYBAO_METRICS_ADDRESS, the core serves Prometheus metrics at http://<address>/metrics: the SDK's
 *   worker metrics (temporal_workflow_task_execution_latency, temporal_activity_execution_latency,
 *   temporal_workflow_task_schedule_to_start_latency, temporal_num_pollers, temporal_worker_task_slots_available,
 *   temporal_request_failure, … in milliseconds), labelled with namespace and task queue;
 * - no signal handlers: worker/main.ts handles SIGTERM/SIGINT itself (log line, readiness, drain).
 */
export function installWorkerRuntime(env: Env, log: Pino): void {
  Runtime.install({
    logger: new PinoTemporalLogger(log),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
      ...(env.KYBAO_METRICS_ADDRESS ? { metrics: { prometheus: { bindAddress: env.KYBAO_METRICS_ADDRESS } } } : {}),
    },
  });
}
