import { Worker } from '@temporalio/worker';
import { bundleWorkflows, workflowBundle as kybaoWorkflowBundle } from '../../infra/workflow-bundle';
import { quietRuntime } from '../simulate/environment';
import { describeEvent, eventId, eventTypeName, historyFilesIn, readHistoryFile, type History, type HistoryEvent, type HistoryFile } from './history';

/**
 * Replays recorded histories against workflow code with the SDK's replayer: the code must issue exactly
 * the commands the history recorded (activities, timers, child workflows, in order). A history that does
 * not fit is a determinism violation; the result names the event where the code and the history parted.
 */
export interface ReplayOutcome {
  file: string;
  workflowId: string;
  ok: boolean;
  /** First line of the replayer's error. */
  error?: string;
  /** The history event the replayer stopped at, described (type, activity, timer, child…). */
  divergedAt?: { eventId: number; description: string };
}

export interface ReplayOptions {
  /** The workflows module to replay against (default: workflows/index.ts of this repository). */
  workflowsPath?: string;
  /** Or an already bundled workflow code. */
  workflowBundle?: { code: string };
  onResult?: (outcome: ReplayOutcome) => void;
}

/** "…HistoryEvent(id: 12, ActivityTaskScheduled)…", "…event 12…", "…event_id: 12…": the event id the error names. */
export function divergingEventId(message: string): number | undefined {
  const patterns = [/HistoryEvent\(id:\s*(\d+)/i, /event[ _]?id[:=]?\s*(\d+)/i, /\bevent\s+#?(\d+)\b/i];
  for (const p of patterns) {
    const m = p.exec(message);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The replayer's own sentence, without the wrapping ("Failure { failure: Some(Failure { message: \"…\" …"). */
export function shortReason(error: Error): string {
  const text = error.message || String(error);
  const inner = /message: "((?:[^"\\]|\\.)*)"/.exec(text);
  const reason = inner ? inner[1]!.replace(/\\"/g, '"') : text.split('\n')[0]!;
  return `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${reason}`;
}

/** Events a workflow task's commands produce: the ones the replayer matches the code against. */
const COMMAND_EVENTS = new Set([
  'ActivityTaskScheduled',
  'TimerStarted',
  'TimerCanceled',
  'ActivityTaskCancelRequested',
  'StartChildWorkflowExecutionInitiated',
  'SignalExternalWorkflowExecutionInitiated',
  'RequestCancelExternalWorkflowExecutionInitiated',
  'MarkerRecorded',
  'UpsertWorkflowSearchAttributes',
  'WorkflowPropertiesModified',
  'WorkflowExecutionCompleted',
  'WorkflowExecutionFailed',
  'WorkflowExecutionContinuedAsNew',
  'WorkflowExecutionCanceled',
  'WorkflowExecutionUpdateAccepted',
  'WorkflowExecutionUpdateCompleted',
]);

type Replayer = (histories: Array<{ workflowId: string; history: History }>) => Promise<Map<string, Error | undefined>>;

/**
 * The event where the code and the history part, when the replayer's message does not name it: replay
 * growing prefixes of the history (cut before each workflow task), find the first workflow task whose
 * commands no longer match, and within it the first command event (the one the message names, if any).
 */
async function locateDivergence(f: HistoryFile, reason: string, replay: Replayer): Promise<HistoryEvent | undefined> {
  const events = f.history.events ?? [];
  // A prefix must hold at least one completed workflow task, or the replayer has nothing to run.
  const firstCompleted = events.findIndex((e) => eventTypeName(e) === 'WorkflowTaskCompleted');
  const cuts = events.map((e, i) => (eventTypeName(e) === 'WorkflowTaskScheduled' ? i : -1)).filter((i) => i > firstCompleted && firstCompleted >= 0);
  cuts.push(events.length);
  const fails = async (cut: number) => {
    try {
      const results = await replay([{ workflowId: `${f.workflowId}#prefix-${cut}`, history: { events: events.slice(0, cut) } }]);
      return [...results.values()][0] !== undefined;
    } catch {
      return true;
    }
  };
  // Binary search for the first cut whose prefix fails (the full history fails).
  let lo = 0;
  let hi = cuts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (await fails(cuts[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  const end = cuts[lo]!;
  const begin = lo > 0 ? cuts[lo - 1]! : 0;
  const window = events.slice(begin, end);
  const commands = window.filter((e) => COMMAND_EVENTS.has(eventTypeName(e)));
  const named = [...reason.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
  return commands.find((e) => named.some((n) => describeEvent(e).includes(n))) ?? commands[0] ?? window[window.length - 1];
}

async function outcomeOf(f: HistoryFile, error: Error | undefined, replay: Replayer): Promise<ReplayOutcome> {
  if (!error) return { file: f.file, workflowId: f.workflowId, ok: true };
  const reason = shortReason(error);
  const id = divergingEventId(reason) ?? divergingEventId(error.message ?? '');
  let event: HistoryEvent | undefined = id === undefined ? undefined : f.history.events?.find((e) => eventId(e) === id);
  if (!event && error.name === 'DeterminismViolationError') {
    try {
      event = await locateDivergence(f, reason, replay);
    } catch (err) {
      if (process.env.KYBAO_DEBUG_REPLAY) console.error(err);
      event = undefined;
    }
  }
  return {
    file: f.file,
    workflowId: f.workflowId,
    ok: false,
    error: reason,
    ...(event ? { divergedAt: { eventId: eventId(event), description: describeEvent(event) } } : id !== undefined ? { divergedAt: { eventId: id, description: `event ${id} (not in the file)` } } : {}),
  };
}

/** Replays every history in `targets` (files or folders); one outcome per history, in file order. */
export async function replayHistories(targets: string[], options: ReplayOptions = {}): Promise<ReplayOutcome[]> {
  const files = targets.flatMap(historyFilesIn);
  const outcomes: ReplayOutcome[] = [];
  const loaded: HistoryFile[] = [];
  for (const file of files) {
    try {
      loaded.push(readHistoryFile(file));
    } catch (err) {
      const outcome = { file, workflowId: '', ok: false, error: (err as Error).message };
      outcomes.push(outcome);
      options.onResult?.(outcome);
    }
  }
  if (!loaded.length) return outcomes;
  // Only now: an installed runtime keeps the process alive until a worker has run and stopped.
  quietRuntime();
  const byRunKey = new Map<string, HistoryFile>();
  // The replayer reports results by workflow id; give each history a unique one.
  const items = loaded.map((f, i) => {
    const id = `${f.workflowId}#${i}`;
    byRunKey.set(id, f);
    return { workflowId: id, history: f.history };
  });
  // Bundle once: the prefix replays that locate a divergence reuse it.
  // kybao's own workflows come prebuilt (infra/workflow-bundle.ts) unless the sources changed.
  const workflowBundle =
    options.workflowBundle ??
    (options.workflowsPath
      ? { code: (await bundleWorkflows({ workflowsPath: options.workflowsPath })).code }
      : await kybaoWorkflowBundle());
  const replay: Replayer = async (histories) => {
    const results = new Map<string, Error | undefined>();
    for await (const r of Worker.runReplayHistories({ workflowBundle, replayName: 'kybao-audit' }, histories)) results.set(r.workflowId, r.error);
    return results;
  };
  // One replay worker at a time: a failure is located (more replays) after the batch is through.
  const raw = await replay(items);
  for (const item of items) {
    const outcome = await outcomeOf(byRunKey.get(item.workflowId)!, raw.get(item.workflowId), replay);
    outcomes.push(outcome);
    options.onResult?.(outcome);
  }
  return outcomes;
}
