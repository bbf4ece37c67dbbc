import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ScheduledRound } from '../../domain/calendar/round-schedule';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import type { Client } from '@temporalio/client';
import { WorkflowGateway } from '../../app/workflow-gateway';
import type { DbClient } from '../../infra/db/shared';
import type { ExtendDeadline, RoundInput, ShardStatus, SubmissionReceipt, SubmitReport, UnitRoundStatus } from '../../domain/round/schema';
import { roundIdOf, roundShardWorkflowId } from '../../workflows/ids';
import { shardStatusQuery } from '../../workflows/round-messages';
import type { World } from './world';
import { waitForWorkflow } from './temporal';

/**
 * A scheduled round of the world's program as a round input, for the given units only (`audience`
 * names them), with its own round id so one test file can run several.
 */
export function scheduledRoundInput(world: World, year: number, roundKey: string, unitIds: string[], suffix: string): { round: ScheduledRound; input: RoundInput } {
  const round = computeYearSchedule(world.outline, year).rounds.find((r) => r.roundKey === roundKey);
  if (!round) throw new Error(`no round ${roundKey} in ${year}`);
  const input = roundInputFromSchedule(world.outline, round, { roundId: roundIdOf(world.program.id, `${roundKey}-${suffix}`) });
  return { round, input: { ...input, audience: { unitIds } } };
}

/** A shard's full status (its units), once the shard has started. */
export async function shardStatus(env: TestWorkflowEnvironment, roundId: string, shard = 1): Promise<ShardStatus> {
  const handle = await waitForWorkflow(env, roundShardWorkflowId(roundId, shard));
  return handle.query(shardStatusQuery);
}

/**
 * A submission or an extension the way the CLI and the web app send them (app/workflow-gateway.ts: to the
 * shard holding the unit, busy and opening answers retried, the receipt handed on once stored).
 */
export function submitReport(client: Client, db: DbClient, roundId: string, report: SubmitReport, options: { patienceMs?: number } = {}): Promise<SubmissionReceipt> {
  return new WorkflowGateway(client, { db, taskQueue: '', busyRetryMs: options.patienceMs ?? 60_000 }).submitReport(roundId, report);
}

export function extendDeadline(client: Client, db: DbClient, roundId: string, extension: ExtendDeadline): Promise<UnitRoundStatus> {
  return new WorkflowGateway(client, { db, taskQueue: '' }).extendDeadline(roundId, extension);
}
