import { WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ExtendDeadline, SubmissionReceipt, SubmitReport, UnitRoundStatus } from '../domain/round/schema';
import type { DbClient } from '../infra/db/shared';
import { roundShardWorkflowId, roundWorkflowId } from '../workflows/ids';
import { ROUND_OPENING, extendDeadlineUpdate, submitReportUpdate } from '../workflows/round-messages';

/**
 * How clients (CLI, web, tests, simulations) reach the workflow that holds a unit's obligation in a round,
 * and how they ride out a busy moment. A round's units are held by its shard workflows
 * (`round:<round>:shard-<n>`); the obligation row names n. Temporal admits at most 10 Updates in flight
 * per workflow, and a shard refuses with RoundOpening while it is still reading its units: both are
 * retried here with backoff (jittered, up to `patienceMs`), so neither reaches a user as an error under a
 * burst of submissions at the deadline.
 */
export class RoundGatewayError extends Error {
  constructor(
    message: string,
    readonly code: 'not-found' | 'refused' | 'busy',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RoundGatewayError';
  }
}

export interface GatewayOptions {
  /** How long to keep retrying a busy or opening workflow (default 60 s). */
  patienceMs?: number;
  /** Called before each retry (progress lines, metrics). */
  onRetry?: (reason: string, attempt: number) => void;
}

/** The shard workflow holding a unit's obligation, read from the database (null: the unit owes nothing there). */
export async function holderOf(db: DbClient, roundId: string, unitId: string): Promise<{ workflowId: string; shard: number } | null> {
  const row = await db.obligation.findUnique({ where: { roundId_unitId: { roundId, unitId } }, select: { shard: true } });
  return row ? { workflowId: roundShardWorkflowId(roundId, row.shard), shard: row.shard } : null;
}

export async function submitReport(client: Client, db: DbClient, roundId: string, report: SubmitReport, options: GatewayOptions = {}): Promise<SubmissionReceipt> {
  return toHolder(client, db, roundId, report.unitId, options, (workflowId) =>
    client.workflow.getHandle(workflowId).executeUpdate(submitReportUpdate, { args: [report] }),
  );
}

export async function extendDeadline(client: Client, db: DbClient, roundId: string, ext: ExtendDeadline, options: GatewayOptions = {}): Promise<UnitRoundStatus> {
  return toHolder(client, db, roundId, ext.unitId, options, (workflowId) =>
    client.workflow.getHandle(workflowId).executeUpdate(extendDeadlineUpdate, { args: [ext] }),
  );
}

/** True for the refusals that mean "come back in a moment", not "no". */
export function isTransientRefusal(err: unknown): boolean {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === ROUND_OPENING) return true;
  if (isGrpcServiceError(err) && err.code === 8) return true; // RESOURCE_EXHAUSTED
  const text = errorText(err);
  return /in-flight updates|RESOURCE_EXHAUSTED|resource exhausted|rate limit/i.test(text);
}

async function toHolder<T>(client: Client, db: DbClient, roundId: string, unitId: string, options: GatewayOptions, send: (workflowId: string) => Promise<T>): Promise<T> {
  const patience = options.patienceMs ?? 60_000;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const holder = await holderOf(db, roundId, unitId);
    let reason: string;
    if (!holder) {
      const round = await db.round.findUnique({ where: { id: roundId }, select: { id: true } });
      // A round writes its row and its obligations when it opens: a running round without them is opening.
      const any = round ? await db.obligation.findFirst({ where: { roundId }, select: { id: true } }) : null;
      if (any) throw new RoundGatewayError(`unit "${unitId}" is not in round ${roundId}`, 'refused');
      if (!(await isRunning(client, roundWorkflowId(roundId)))) {
        throw new RoundGatewayError(`no round ${roundId} is open; check its id with "kybao status"`, 'not-found');
      }
      reason = 'the round is opening';
    } else {
      try {
        return await send(holder.workflowId);
      } catch (err) {
        // The round writes its obligations before it starts its shards: a shard not there yet is opening.
        const opening = err instanceof WorkflowNotFoundError && !/already completed/i.test(errorText(err)) && (await isRunning(client, roundWorkflowId(roundId)));
        if (!opening && !isTransientRefusal(err)) throw err;
        reason = opening ? 'the round is opening' : errorText(err).split('\n')[0]!;
      }
    }
    if (Date.now() - started > patience) {
      throw new RoundGatewayError(`round ${roundId} is busy (${reason}); nothing was recorded, try again in a minute`, 'busy');
    }
    options.onRetry?.(reason, attempt);
    // Exponential backoff with full jitter, capped at 2 s: a burst spreads out instead of retrying in step.
    const cap = Math.min(2_000, 50 * 2 ** Math.min(attempt, 6));
    await new Promise((r) => setTimeout(r, Math.random() * cap));
  }
}

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch {
    return false;
  }
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(': ');
}
