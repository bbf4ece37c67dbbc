import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../infra/db/client';
import { listAudit } from '../infra/db/audit-repository';
import { getProgramDefinition, getProgramVersion, programVersionOf } from '../infra/db/program-repository';
import type { Program } from '../domain/program/schema';
import type { temporal } from '@temporalio/proto';
import { decodePayloads, fetchHistory, runIdTag, runsOfWorkflow, writeHistoryFile, type History } from '../client/audit/history';
import type { ShardGroupInput } from '../domain/round/schema';
import { roundShardWorkflowId } from '../workflows/ids';
import { historyToJSON } from '../client/audit/proto-json';
import { replayHistories, type ReplayOutcome } from '../client/audit/replay';
import { buildTimeline, mergeTimelines, outboxRecipients, type Timeline } from '../client/audit/timeline';
import { AppError } from './errors';
import { defaultProgramDefinition } from './programs';

/**
 * The auditor's reads: a workflow's history as Temporal's JSON, its timeline in local time, the result
 * of replaying it against the current code, and the audit log. Nothing here changes anything.
 */
const WORKFLOW_ID = /^(program|cycle|round|estimates|skeleton)[-:][\w:.-]+$/;

function checkId(workflowId: string): void {
  if (!WORKFLOW_ID.test(workflowId)) throw new AppError('invalid', `"${workflowId}" is not a kybao workflow id (e.g. round:qd-925-thai-binh:2026-Q4)`, 'workflowId');
}

async function history(temporal: Client, workflowId: string) {
  checkId(workflowId);
  try {
    return await fetchHistory(temporal, workflowId);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new AppError('not-found', `no workflow ${workflowId}`, 'workflowId', { cause: err });
    throw err;
  }
}

export async function historyJson(temporal: Client, workflowId: string): Promise<{ runId: string; json: string; events: number }> {
  const h = await history(temporal, workflowId);
  return { runId: h.runId, json: historyToJSON(h.history), events: h.history.events?.length ?? 0 };
}

/**
 * The timeline of a workflow in local time. A round's is told with its shards' (each shard holds some of
 * its units: their notices, submissions and extensions), as one story in time order.
 */
export async function timelineOf(c: { db: Db; temporal: Client }, workflowId: string): Promise<Timeline> {
  const h = await history(c.temporal, workflowId);
  const options = {
    recipients: outboxRecipients(c.db),
    programFor: programResolver({ db: c.db }),
  };
  const own = await buildTimeline(h.history, options);
  if (own.workflowType !== 'roundWorkflow') return own;
  const shards: Timeline[] = [];
  for (const run of await roundChildRuns(c.temporal, h.history, { groups: false })) shards.push(await buildTimeline(run.history, options));
  return mergeTimelines([own, ...shards]);
}

/** One run of a round's group or shard workflow; `latest` marks the run that is running or closed last. */
export interface ChildRun {
  workflowId: string;
  runId: string;
  latest: boolean;
  history: History;
}

/**
 * Every run of the shard workflows a round started (and, with `groups`, of its groups of shards), first
 * run to latest for each: a shard continues as new every few hundred events (DEFAULT_SHARD_HISTORY_LIMIT),
 * so a unit's submission may sit in any of its shard's runs. A child that no longer exists on the server
 * (its retention ran out) is left out, and so are a child's earlier runs once one of them has expired.
 */
export async function roundChildRuns(temporal: Client, roundHistory: History, options: { groups: boolean }): Promise<ChildRun[]> {
  const out: ChildRun[] = [];
  for (const workflowId of [...(options.groups ? groupsOf(roundHistory) : []), ...shardsOf(roundHistory)]) {
    const runs = await runsOfWorkflow(temporal, workflowId).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return [];
      throw err;
    });
    runs.forEach((r, i) => out.push({ workflowId, runId: r.runId, latest: i === runs.length - 1, history: r.history }));
  }
  return out;
}

/**
 * Finds the program definition a workflow ran with, for its timeline: the exact version (SHA-256 of the
 * definition, from the workflow's input) in the database, else a definition given as a file or the
 * default program when it is that very version; without a version, the current definition. Null when
 * none matches (the timeline then says so rather than show another version's period or recipients).
 */
export function programResolver(sources: { db?: Db | null; file?: Program | null }): (programId: string, version?: string) => Promise<Program | null> {
  return async (programId, version) => {
    if (sources.db) {
      try {
        const stored = version ? await getProgramVersion(sources.db, programId, version) : await getProgramDefinition(sources.db, programId);
        if (stored) return stored;
      } catch {
        // A database not migrated yet: the files below may still match.
      }
    }
    for (const candidate of [sources.file, defaultProgramDefinition()]) {
      if (candidate && candidate.id === programId && (!version || programVersionOf(candidate) === version)) return candidate;
    }
    return null;
  };
}

/** The groups of shards a round started (`round:<id>:group-<n>`), in order; none in a round of at most 20 shards. */
export function groupsOf(h: { events?: Array<{ startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string | null } | null }> | null }): string[] {
  return (h.events ?? []).map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId).filter((id): id is string => !!id && /:group-\d+$/.test(id));
}

type ChildStart = { workflowId?: string | null; input?: { payloads?: temporal.api.common.v1.IPayload[] | null } | null };

/**
 * The shard workflows a round started: its child workflow starts, and in a round with groups of shards
 * (`round:<id>:group-<n>`), the shards each group's input names (firstShard to lastShard), in order.
 */
export function shardsOf(h: { events?: Array<{ startChildWorkflowExecutionInitiatedEventAttributes?: ChildStart | null }> | null }): string[] {
  const ids: string[] = [];
  for (const e of h.events ?? []) {
    const child = e.startChildWorkflowExecutionInitiatedEventAttributes;
    const id = child?.workflowId;
    if (!id) continue;
    if (/:shard-\d+$/.test(id)) ids.push(id);
    else if (/:group-\d+$/.test(id)) {
      const group = decodePayloads(child.input)[0] as Partial<ShardGroupInput> | undefined;
      if (!group?.roundId || !group.firstShard || !group.lastShard) continue;
      for (let n = group.firstShard; n <= group.lastShard; n++) ids.push(roundShardWorkflowId(group.roundId, n));
    }
  }
  return ids;
}

/** One history file an export wrote. */
export interface ExportedHistory {
  workflowId: string;
  runId: string;
  /** Whether it is the workflow's latest run (a shard's earlier runs are false; the exported workflow's own run is true). */
  latest: boolean;
  file: string;
  events: number;
}

/**
 * Writes one run of a workflow (its latest, or `runId`) to `file` as Temporal's history JSON, and for a
 * round, beside it, every run of its groups and shards, so that the export replays and tells its story
 * whole without a server: `<file>__shard-<n>.json` for a shard's latest run, `<file>__shard-<n>.<last 8
 * characters of the run id (runIdTag)>.json` for its earlier ones, `<file>__group-<n>.json` for a group. Returns
 * what it wrote, the workflow's own file first. Throws the client's WorkflowNotFoundError when there is
 * no such workflow or run.
 */
export async function exportHistories(temporal: Client, workflowId: string, file: string, runId?: string): Promise<ExportedHistory[]> {
  const own = await fetchHistory(temporal, workflowId, runId);
  const base = file.replace(/\.json$/i, '');
  const written: ExportedHistory[] = [{ workflowId, runId: own.runId, latest: true, file, events: own.history.events?.length ?? 0 }];
  writeHistoryFile(file, own.history);
  for (const child of await roundChildRuns(temporal, own.history, { groups: true })) {
    const childFile = `${base}__${child.workflowId.split(':').pop()}${child.latest ? '' : `.${runIdTag(child.runId)}`}.json`;
    writeHistoryFile(childFile, child.history);
    written.push({ workflowId: child.workflowId, runId: child.runId, latest: child.latest, file: childFile, events: child.history.events?.length ?? 0 });
  }
  return written;
}

/** Replays the workflow's latest run against the current workflow code. */
export async function replayWorkflow(temporal: Client, workflowId: string, options: { workflowBundle?: { code: string } } = {}): Promise<ReplayOutcome> {
  const h = await history(temporal, workflowId);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-replay-'));
  try {
    const file = path.join(dir, `${workflowId.replace(/:/g, '__')}.json`);
    writeHistoryFile(file, h.history);
    const [outcome] = await replayHistories([file], options.workflowBundle ? { workflowBundle: options.workflowBundle } : {});
    return { ...outcome!, file: path.basename(file) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function auditLog(db: Db, filter: { roundId?: string; unitId?: string; afterId?: number; limit?: number }) {
  return listAudit(db, { ...filter, limit: Math.min(filter.limit ?? 200, 1000) });
}
