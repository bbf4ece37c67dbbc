import pino, { type Logger as Pino } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Env } from '../infra/config';

/**
 * The worker's structured log: one JSON object a line on stdout (pino), the shape log collectors
 * (Loki, Elasticsearch, journald) read without parsing rules:
 *
 *   {"level":"info","time":"2026-11-30T08:00:00.000Z","msg":"activity completed","workflowId":"round:p:2026-Q4:shard-1",
 *    "roundId":"p:2026-Q4","unitIds":["so-khdt"],"activityType":"recordSubmissions","durationMs":12,…}
 *
 * Workflow lines carry workflowId/runId/workflowType (from the SDK) and the roundId read from a round's
 * workflow id; activity lines add the round and units of their input (worker/activity-log.ts). Secrets
 * never reach it: the configuration is logged through describeEnv().
 */
export function createLogger(env: Pick<Env, 'KYBAO_LOG_LEVEL'>, destination?: pino.DestinationStream): Pino {
  return pino(
    {
      level: env.KYBAO_LOG_LEVEL,
      base: { process: 'kybao-worker', pid: process.pid },
      // Levels as words, times as ISO instants (UTC): readable without a lookup table.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** Round workflow ids: `round:<roundId>` (coordinator), `round:<roundId>:shard-<n>` and `round:<roundId>:group-<n>` (a group of shards). */
const ROUND_WORKFLOW = /^round:(?<roundId>.+?)(?::shard-(?<shard>\d+)|:group-\d+)?$/;

/** The round (and shard) a workflow id names, for log lines; empty for other workflows. */
export function roundIdsOfWorkflow(workflowId: unknown): { roundId?: string; shard?: number } {
  if (typeof workflowId !== 'string') return {};
  const m = ROUND_WORKFLOW.exec(workflowId);
  if (!m?.groups) return {};
  return { roundId: m.groups.roundId!, ...(m.groups.shard ? { shard: Number(m.groups.shard) } : {}) };
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's Logger interface over pino, for `Runtime.install({ logger })`: the SDK's own lines,
 * workflow `log.*` calls (through the SDK's sink) and activity `Context.log` calls all become JSON lines.
 */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly pino: Pino) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const fields: Record<string, unknown> = { ...(meta ?? {}) };
    // The SDK passes its time as bigint nanoseconds, which JSON cannot carry; pino stamps its own.
    delete fields.timestampNanos;
    if (fields.roundId === undefined) Object.assign(fields, roundIdsOfWorkflow(fields.workflowId));
    this.pino[LEVELS[level]](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
