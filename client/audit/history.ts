import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { historyFromJSON, historyToJSON } from './proto-json';
import type { temporal } from '@temporalio/proto';

/**
 * Workflow histories as files: the JSON that Temporal's own tools write and read (`temporal workflow show
 * --output json`, the SDKs' replayers), one history per run. A file is named after its workflow id with
 * ":" written as "__" (round:qd-925-thai-binh:2015-Q1 → round__qd-925-thai-binh__2015-Q1.json), so the id
 * survives without a sidecar. Optional dot-separated parts around it: a label before it (the scenario
 * that recorded it, "year-2015.cycle__qd-925-thai-binh__2015.json") and 8 characters of the run id
 * after it when a workflow id has several runs (runIdTag).
 */
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export type { History };

export interface HistoryFile {
  file: string;
  workflowId: string;
  history: History;
}

export function fileNameFor(workflowId: string, options: { runId?: string; label?: string } = {}): string {
  const id = workflowId.replace(/:/g, '__').replace(/[^A-Za-z0-9_~-]/g, '_');
  return `${options.label ? `${options.label.replace(/[^A-Za-z0-9_~-]/g, '_')}.` : ''}${id}${options.runId ? `.${runIdTag(options.runId)}` : ''}.json`;
}

/**
 * The 8 characters of a run id that tell its runs apart in file names: its last 8. Temporal's server (the
 * dev server's 1.29 here) makes run ids as UUIDv7, whose first 8 hex digits are a timestamp shared by
 * every run started in the same 65 s (a shard continuing as new twice in a burst); the last are random.
 */
export function runIdTag(runId: string): string {
  return runId.slice(-8);
}

export function workflowIdFromFileName(file: string): string {
  const parts = path.basename(file).replace(/\.json$/i, '').split('.');
  if (parts.length > 1 && /^[0-9a-f]{8}$/i.test(parts[parts.length - 1]!)) parts.pop();
  return parts[parts.length - 1]!.replace(/__/g, ':');
}

export function writeHistoryFile(file: string, history: History): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, historyToJSON(history) + '\n');
}

export function readHistoryFile(file: string): HistoryFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`, { cause: err });
  }
  let history: History;
  try {
    history = historyFromJSON(json);
  } catch (err) {
    throw new Error(`${file}: not a workflow history (${(err as Error).message})`, { cause: err });
  }
  if (!history.events?.length) throw new Error(`${file}: the history has no events`);
  return { file, workflowId: workflowIdFromFileName(file), history };
}

/** The history files a path names: the file itself, or every *.json in a folder (sorted). */
export function historyFilesIn(target: string): string[] {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new Error(`${target}: no such file or folder`);
  }
  if (stat.isFile()) return [target];
  const files = readdirSync(target)
    .filter((f) => f.toLowerCase().endsWith('.json'))
    .sort()
    .map((f) => path.join(target, f));
  if (!files.length) throw new Error(`${target}: no *.json history files in this folder`);
  return files;
}

/** The history of a run (default: the latest run of the workflow id). */
export async function fetchHistory(client: Client, workflowId: string, runId?: string): Promise<{ runId: string; history: History }> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const description = await handle.describe();
  const history = await handle.fetchHistory();
  return { runId: description.runId, history };
}

export interface ChainedRun {
  runId: string;
  history: History;
  /** How the run closed (see endOf): "continued-as-new", "completed", another close, or "open". */
  end: string;
}

/**
 * Every run of a workflow, first to latest: the latest run, then back through each run's
 * `continuedExecutionRunId` (a shard continues as new every few hundred events, so one shard's story can
 * span several runs). An earlier run past the namespace's retention ends the walk; the runs after it stand.
 * Works where listing does not (the time-skipping test server).
 */
export async function runsOfWorkflow(client: Client, workflowId: string): Promise<ChainedRun[]> {
  const runs: ChainedRun[] = [];
  for (let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId; runId; ) {
    let history: History;
    try {
      history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    } catch (err) {
      if (runs.length && isNotFound(err)) break;
      throw err;
    }
    runs.unshift({ runId, history, end: endOf(history) });
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

/**
 * How a run's history ends: its closing event ("continued-as-new", "completed", "failed", "timed-out",
 * "canceled", "terminated"), or "open".
 */
function endOf(history: History): string {
  const last = history.events?.[history.events.length - 1];
  if (!last) return 'open';
  if (last.workflowExecutionContinuedAsNewEventAttributes) return 'continued-as-new';
  if (last.workflowExecutionCompletedEventAttributes) return 'completed';
  if (last.workflowExecutionFailedEventAttributes) return 'failed';
  if (last.workflowExecutionTimedOutEventAttributes) return 'timed-out';
  if (last.workflowExecutionCanceledEventAttributes) return 'canceled';
  if (last.workflowExecutionTerminatedEventAttributes) return 'terminated';
  return 'open';
}

/** Not found, as the client's WorkflowNotFoundError or as the raw gRPC NOT_FOUND (code 5) that fetchHistory gives. */
function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 5);
}

export interface ListedRun {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  startTime: Date;
}

/** Every run (continued-as-new ones included) whose workflow id matches. */
export async function listRuns(client: Client, match: (workflowId: string) => boolean): Promise<ListedRun[]> {
  const runs: ListedRun[] = [];
  for await (const w of client.workflow.list()) {
    if (!match(w.workflowId)) continue;
    runs.push({ workflowId: w.workflowId, runId: w.runId, type: w.type, status: w.status.name, startTime: w.startTime });
  }
  return runs.sort((a, b) => a.workflowId.localeCompare(b.workflowId) || a.startTime.getTime() - b.startTime.getTime());
}

/** Workflow ids that belong to a cycle year: its cycle, every round keyed "<year>-…", the program run of that year. */
export function belongsToYear(workflowId: string, year: number): boolean {
  return new RegExp(`^cycle:[^:]+:${year}$`).test(workflowId) || new RegExp(`^estimates:[^:]+:${year}:`).test(workflowId) || new RegExp(`^round:[^:]+:${year}-`).test(workflowId);
}

// ------------------------------------------------------------------------------------ decoding events

/** Epoch ms of a protobuf Timestamp whose seconds may be a number, a string or any copy of Long. */
export function timestampMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!ts) return 0;
  const seconds = ts.seconds === null || ts.seconds === undefined ? 0 : Number(String(ts.seconds));
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000);
}

export function eventTimeMs(e: HistoryEvent): number {
  return timestampMs(e.eventTime);
}

export function eventId(e: HistoryEvent): number {
  return Number(e.eventId ?? 0);
}

/** "WorkflowExecutionStarted", "ActivityTaskScheduled", …: the event's attributes name, shortened. */
export function eventTypeName(e: HistoryEvent): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
  if (!key) return 'Unknown';
  const name = key.replace(/EventAttributes$/, '');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function decodePayloads(payloads: { payloads?: temporal.api.common.v1.IPayload[] | null } | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map((p) => {
    try {
      return defaultPayloadConverter.fromPayload(p);
    } catch {
      return '<undecodable payload>';
    }
  });
}

export function decodePayload(p: temporal.api.common.v1.IPayload | null | undefined): unknown {
  if (!p) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(p);
  } catch {
    return '<undecodable payload>';
  }
}

/** One line describing an event, for replay failures ("event 12 ActivityTaskScheduled notify(reminder 7)"). */
export function describeEvent(e: HistoryEvent): string {
  const type = eventTypeName(e);
  const parts = [`event ${eventId(e)} ${type}`];
  const a = e.activityTaskScheduledEventAttributes;
  if (a) {
    const input = decodePayloads(a.input)[0] as { kind?: string; step?: number; unitIds?: string[] } | undefined;
    const detail = a.activityType?.name === 'notify' && input?.kind ? `(${input.kind} ${input.step ?? ''})`.replace(' )', ')') : '';
    parts.push(`${a.activityType?.name ?? '?'}${detail}`);
  }
  if (e.timerStartedEventAttributes) {
    const t = e.timerStartedEventAttributes;
    parts.push(`timer ${t.timerId} for ${t.startToFireTimeout?.seconds ?? 0}s`);
  }
  if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
    const c = e.startChildWorkflowExecutionInitiatedEventAttributes;
    parts.push(`${c.workflowType?.name} ${c.workflowId}`);
  }
  if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) {
    const s = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
    parts.push(`signal ${s.signalName} to ${s.workflowExecution?.workflowId}`);
  }
  if (e.workflowExecutionUpdateAcceptedEventAttributes) {
    parts.push(e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? '');
  }
  if (e.workflowExecutionSignaledEventAttributes) parts.push(e.workflowExecutionSignaledEventAttributes.signalName ?? '');
  if (e.markerRecordedEventAttributes) parts.push(e.markerRecordedEventAttributes.markerName ?? '');
  const when = eventTimeMs(e);
  if (when) parts.push(`at ${new Date(when).toISOString()}`);
  return parts.filter(Boolean).join(' ');
}
