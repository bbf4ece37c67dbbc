import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { REPO_ROOT } from '../../activities/db/database-url';
import { quietRuntime } from '../simulate/environment';
import { describeEvent, eventId, historyFilesIn, readHistoryFile, type HistoryEvent, type HistoryFile } from './history';

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

function outcomeOf(f: HistoryFile, error: Error | undefined): ReplayOutcome {
  if (!error) return { file: f.file, workflowId: f.workflowId, ok: true };
  const message = error.message || String(error);
  const id = divergingEventId(message);
  const event: HistoryEvent | undefined = id === undefined ? undefined : f.history.events?.find((e) => eventId(e) === id);
  return {
    file: f.file,
    workflowId: f.workflowId,
    ok: false,
    error: `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${message.split('\n')[0]}`,
    ...(id !== undefined ? { divergedAt: { eventId: id, description: event ? describeEvent(event) : `event ${id} (not in the file)` } } : {}),
  };
}

/** Replays every history in `targets` (files or folders); one outcome per history, in file order. */
export async function replayHistories(targets: string[], options: ReplayOptions = {}): Promise<ReplayOutcome[]> {
  quietRuntime();
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
  const byRunKey = new Map<string, HistoryFile>();
  // The replayer reports results by workflow id; give each history a unique one.
  const items = loaded.map((f, i) => {
    const id = `${f.workflowId}#${i}`;
    byRunKey.set(id, f);
    return { workflowId: id, history: f.history };
  });
  const workerOptions = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: options.workflowsPath ?? require.resolve(path.join(REPO_ROOT, 'workflows')) };
  for await (const result of Worker.runReplayHistories({ ...workerOptions, replayName: 'kybao-audit' }, items)) {
    const f = byRunKey.get(result.workflowId);
    if (!f) continue;
    const outcome = outcomeOf(f, result.error);
    outcomes.push(outcome);
    options.onResult?.(outcome);
  }
  return outcomes;
}
