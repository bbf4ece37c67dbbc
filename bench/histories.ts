import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** Size of a workflow's history: events, and bytes as Temporal stores and sends it (protobuf). */
export interface HistorySize {
  workflowId: string;
  events: number;
  bytes: number;
  /** Workflow tasks the worker completed, and activities it was given: the round trips behind the events. */
  workflowTasks: number;
  activities: number;
}

/** Every run of `workflowId` (continue-as-new chains share the id), from the server's visibility. */
export async function runsOf(client: Client, workflowId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf.runId);
  return runs;
}

export async function historySize(client: Client, workflowId: string, runId?: string): Promise<HistorySize> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const { EventType } = temporal.api.enums.v1;
  const count = (type: number) => (history.events ?? []).filter((e) => e.eventType === type).length;
  return {
    workflowId,
    events: history.events?.length ?? 0,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
  };
}

/** Sizes of many histories, `concurrency` fetches at a time. */
export async function historySizes(client: Client, targets: Array<{ workflowId: string; runId?: string }>, concurrency = 16): Promise<HistorySize[]> {
  const out: HistorySize[] = new Array(targets.length);
  let next = 0;
  const lane = async () => {
    while (next < targets.length) {
      const i = next++;
      out[i] = await historySize(client, targets[i]!.workflowId, targets[i]!.runId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, lane));
  return out;
}
