import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { History, HistoryEvent } from '../../client/audit/history';
import { timestampMs, writeHistoryFile } from '../../client/audit/history';
import path from 'node:path';

/**
 * What the scale scenario reads back from Temporal once a run is over: for every run of every workflow
 * it names, the number of events and bytes of its history, the largest payload anywhere in it (inputs,
 * results, Update arguments and answers, signals, activity inputs and results) and the longest workflow
 * task (from WorkflowTaskStarted to WorkflowTaskCompleted, as the server recorded them: the worker's
 * processing time plus one round trip).
 */
export interface HistoryFigures {
  workflowId: string;
  runId: string;
  events: number;
  /** The history's size as protobuf (bytes). */
  bytes: number;
  largestPayload: { bytes: number; where: string };
  longestTaskMs: number;
  /** Workflow tasks that failed (other than for an event that arrived meanwhile) or timed out (over the 10 s timeout). */
  failedTasks: number;
  /** The same, by kind: a failure's cause, or a timeout's type (SCHEDULE_TO_START: the worker polled its sticky queue too late; START_TO_CLOSE: a task ran over 10 s). */
  failedTaskKinds: Record<string, number>;
}

export function figuresOf(workflowId: string, runId: string, history: History, encodedBytes: number): HistoryFigures {
  const events: HistoryEvent[] = history.events ?? [];
  let largest = { bytes: 0, where: '' };
  const started = new Map<number, number>();
  let longest = 0;
  let failedTasks = 0;
  const failedTaskKinds: Record<string, number> = {};
  const count = (kind: string) => {
    failedTasks += 1;
    failedTaskKinds[kind] = (failedTaskKinds[kind] ?? 0) + 1;
  };
  for (const e of events) {
    for (const [where, size] of payloadSizes(e)) if (size > largest.bytes) largest = { bytes: size, where: `${workflowId} event ${String(e.eventId)} ${where}` };
    if (e.workflowTaskStartedEventAttributes) started.set(Number(e.eventId), timestampMs(e.eventTime));
    const done = e.workflowTaskCompletedEventAttributes;
    if (done) {
      const from = started.get(Number(done.startedEventId));
      if (from !== undefined) longest = Math.max(longest, timestampMs(e.eventTime) - from);
    }
    // A task the server failed because a new event (an Update, a signal) arrived while it ran (UNHANDLED_COMMAND,
    // cause 1) is Temporal's normal way of making the worker look again; every other failure and every timeout counts.
    const failed = e.workflowTaskFailedEventAttributes;
    if (failed && Number(failed.cause ?? 0) !== 1) count(`failed:${temporal.api.enums.v1.WorkflowTaskFailedCause[Number(failed.cause ?? 0)] ?? String(failed.cause)}`);
    const timedOut = e.workflowTaskTimedOutEventAttributes;
    if (timedOut) count(`timed-out:${temporal.api.enums.v1.TimeoutType[Number(timedOut.timeoutType ?? 0)] ?? String(timedOut.timeoutType)}`);
  }
  return { workflowId, runId, events: events.length, bytes: encodedBytes, largestPayload: largest, longestTaskMs: longest, failedTasks, failedTaskKinds };
}

/** Every payload an event carries, with where it sits and its data size in bytes. */
function payloadSizes(e: HistoryEvent): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const add = (where: string, payloads: { payloads?: Array<{ data?: Uint8Array | null; metadata?: Record<string, Uint8Array> | null }> | null } | null | undefined) => {
    for (const p of payloads?.payloads ?? []) {
      const meta = Object.values(p.metadata ?? {}).reduce((n, v) => n + (v?.length ?? 0), 0);
      out.push([where, (p.data?.length ?? 0) + meta]);
    }
  };
  add('workflow input', e.workflowExecutionStartedEventAttributes?.input);
  add('workflow result', e.workflowExecutionCompletedEventAttributes?.result);
  add('continue-as-new input', e.workflowExecutionContinuedAsNewEventAttributes?.input);
  add('activity input', e.activityTaskScheduledEventAttributes?.input);
  add('activity result', e.activityTaskCompletedEventAttributes?.result);
  add('signal', e.workflowExecutionSignaledEventAttributes?.input);
  add('update arguments', e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args);
  add('update answer', e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success);
  add('child input', e.startChildWorkflowExecutionInitiatedEventAttributes?.input);
  add('child result', e.childWorkflowExecutionCompletedEventAttributes?.result);
  add('signal sent', e.signalExternalWorkflowExecutionInitiatedEventAttributes?.input);
  return out;
}

/** The figures of every run of the given workflows (following continue-as-new through the server's list). */
/** With `saveTo`, every history is also written there as Temporal JSON (for `kybao audit replay` or a profile). */
export async function measureWorkflows(client: Client, workflowIds: string[], saveTo?: string): Promise<HistoryFigures[]> {
  const out: HistoryFigures[] = [];
  for (const workflowId of workflowIds) {
    const runs: string[] = [];
    try {
      for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf.runId);
    } catch {
      // A server without visibility (the time-skipping one): the latest run only.
    }
    if (!runs.length) runs.push((await client.workflow.getHandle(workflowId).describe()).runId);
    for (const runId of runs) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      const bytes = temporal.api.history.v1.History.encode(history as never).finish().length;
      if (saveTo) writeHistoryFile(path.join(saveTo, `${workflowId.replaceAll(':', '__')}.${runId}.json`), history);
      out.push(figuresOf(workflowId, runId, history, bytes));
    }
  }
  return out;
}

/** The workflow ids of a round: itself and its child workflows (its shards, or its groups of shards and theirs). */
export async function roundWorkflows(client: Client, roundWorkflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(roundWorkflowId).fetchHistory();
  const children = (history.events ?? []).map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId).filter((id): id is string => !!id);
  const ids = [roundWorkflowId];
  for (const id of children) ids.push(...(/:group-\d+$/.test(id) ? await roundWorkflows(client, id) : [id]));
  return ids;
}

export function largestOf(figures: HistoryFigures[]) {
  const by = <K extends 'events' | 'bytes' | 'longestTaskMs'>(key: K) => figures.reduce((a, b) => (b[key] > a[key] ? b : a), figures[0]!);
  const payload = figures.reduce((a, b) => (b.largestPayload.bytes > a.largestPayload.bytes ? b : a), figures[0]!);
  return {
    historyEvents: { value: by('events').events, workflowId: by('events').workflowId },
    historyBytes: { value: by('bytes').bytes, workflowId: by('bytes').workflowId },
    payloadBytes: { value: payload.largestPayload.bytes, where: payload.largestPayload.where },
    longestTaskMs: { value: by('longestTaskMs').longestTaskMs, workflowId: by('longestTaskMs').workflowId },
    failedTasks: figures.reduce((n, f) => n + f.failedTasks, 0),
    failedTaskKinds: figures.reduce<Record<string, number>>((all, f) => {
      for (const [kind, n] of Object.entries(f.failedTaskKinds)) all[kind] = (all[kind] ?? 0) + n;
      return all;
    }, {}),
    totalEvents: figures.reduce((n, f) => n + f.events, 0),
    workflows: new Set(figures.map((f) => f.workflowId)).size,
  };
}
