import { log, type ChildWorkflowHandle, type Workflow } from '@temporalio/workflow';
import { fulfilledByParentSignal } from './round-messages';

type Fulfilment = { unitId: string; reference: string; by: string };

/**
 * Sends every queued fulfilment, oldest first, to each child (a shard, or a group that passes it on to its
 * shards), emptying the queue. A child that has already closed cannot take it and needs it no more: the
 * refusal is logged, not raised. Used by the round and by its groups of shards.
 */
export async function passOnFulfilments(queue: Fulfilment[], children: ReadonlyArray<ChildWorkflowHandle<Workflow>>): Promise<void> {
  while (queue.length) {
    const f = queue.shift()!;
    for (const child of children) {
      try {
        await child.signal(fulfilledByParentSignal, f);
      } catch (err) {
        log.info('shard already closed; fulfilment not passed on', { workflowId: child.workflowId, error: String(err) });
      }
    }
  }
}
