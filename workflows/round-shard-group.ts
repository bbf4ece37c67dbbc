import { ApplicationFailure, condition, setHandler, startChild } from '@temporalio/workflow';
import { ShardGroupInput, addCounts, describeZodError, emptyCounts, type ShardGroupResult, type ShardResult } from '../domain/round/schema';
import { roundShardWorkflowId } from './ids';
import { passOnFulfilments } from './pass-on-fulfilments';
import { fulfilledByParentSignal } from './round-messages';
import { roundShardWorkflow } from './round-shard';

/**
 * A group of a large round's shards (`round:<round id>:group-<n>`): it starts shards `firstShard` to
 * `lastShard`, passes on the fulfilments its round sends, and closes with their counts once the last of
 * them has closed. It exists so that the round awaits one child per group rather than one per shard: each
 * child costs its parent's history about 3.6 events, which made the round's history the largest of a
 * 10,000-unit round (issue #14). A group holds nothing per unit, and everything per unit stays in the
 * shards, which the gateway addresses directly (the obligation row names the shard).
 */
export async function roundShardGroupWorkflow(rawInput: ShardGroupInput): Promise<ShardGroupResult> {
  const parsed = ShardGroupInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid shard group input: ${describeZodError(parsed.error)}`);
  const input = parsed.data;

  const fulfilments: Array<{ unitId: string; reference: string; by: string }> = [];
  setHandler(fulfilledByParentSignal, (f) => void fulfilments.push(f));

  // Started together: one workflow task issues every shard's start command.
  const numbers = Array.from({ length: input.lastShard - input.firstShard + 1 }, (_, i) => input.firstShard + i);
  const handles = await Promise.all(
    numbers.map((shard) =>
      startChild(roundShardWorkflow, { workflowId: roundShardWorkflowId(input.roundId, shard), args: [{ ...input.shard, roundId: input.roundId, shard }] }),
    ),
  );
  const results: ShardResult[] = [];
  for (const handle of handles) void handle.result().then((r) => void results.push(r));

  while (results.length < handles.length) {
    await condition(() => results.length === handles.length || fulfilments.length > 0);
    await passOnFulfilments(fulfilments, handles);
  }
  return {
    group: input.group,
    shards: handles.length,
    closedAt: new Date(Math.max(...results.map((r) => Date.parse(r.closedAt)))).toISOString(),
    counts: results.reduce((sum, r) => addCounts(sum, r.counts), emptyCounts()),
  };
}
