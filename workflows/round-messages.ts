import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ExtendDeadline, RoundSummary, ShardStatus, SubmissionReceipt, SubmitReport, UnitRoundStatus } from '../domain/round/schema';

/**
 * The messages of a round and its shards, defined once for the workflows and their clients.
 *
 * Human actions are Updates, because the caller (an agency, the coordinator) needs the answer: a receipt
 * or the reason of a refusal. They go to the shard that holds the unit (`round:<round>:shard-<n>`; the
 * obligation row in the database names n).
 */
export const submitReportUpdate = defineUpdate<SubmissionReceipt, [SubmitReport]>('round.submitReport');
export const extendDeadlineUpdate = defineUpdate<UnitRoundStatus, [ExtendDeadline]>('round.extendDeadline');

/** A shard's units in full (at most the shard size). */
export const shardStatusQuery = defineQuery<ShardStatus>('round.shardStatus');
/** A round's summary: phase, size, shards, and its counts once closed (no unit list). */
export const roundStatusQuery = defineQuery<RoundSummary>('round.status');

/**
 * For the parent cycle only: marks a unit's obligation fulfilled by something that happened in the
 * parent (the appraiser deciding every estimate, the authority approving the plan). A signal, because a
 * workflow cannot send Updates, and the parent already validated the action it is reporting. Sent to the
 * round, which passes it on to its shards; a shard ignores units it does not hold.
 */
export const fulfilledByParentSignal = defineSignal<[{ unitId: string; reference: string; by: string }]>('round.fulfilledByParent');

/** From a shard to its round: an extension brought a new deadline instant (the round's digests follow it). */
export const dueInstantSignal = defineSignal<[{ dueAt: string }]>('round.dueInstant');

/** The type of the refusal a shard gives while it is still reading its units or handing over to its next run; clients retry on it. */
export const ROUND_OPENING = 'RoundOpening';
