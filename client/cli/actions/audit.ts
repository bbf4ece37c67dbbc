import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '../../audit/proto-json';
import { WorkflowNotFoundError } from '@temporalio/common';
import { createPrismaClient, type Db } from '../../../infra/db/client';
import { loadProgramFile } from '../../../domain/program/load-file';
import type { Program } from '../../../domain/program/schema';
import { belongsToYear, fetchHistory, fileNameFor, listRuns, readHistoryFile, writeHistoryFile, type History } from '../../audit/history';
import { replayHistories, type ReplayOutcome } from '../../audit/replay';
import { buildTimeline, mergeTimelines, outboxRecipients, renderTimeline } from '../../audit/timeline';
import { exportHistories, programResolver, roundChildRuns } from '../../../app/audit';
import { settingsFrom, withTemporal, type ConnectionFlags } from '../connection';
import { note, print, printJson } from '../output';

function isFile(target: string): boolean {
  try {
    return statSync(target).isFile();
  } catch {
    return false;
  }
}

async function exportOne(flags: ConnectionFlags, workflowId: string, runId: string | undefined, out: string | undefined, json: boolean | undefined): Promise<void> {
  const env = settingsFrom(flags);
  const file = out && existsSync(out) && statSync(out).isDirectory() ? path.join(out, fileNameFor(workflowId)) : out;
  const result = await withTemporal(env, async (client) => {
    try {
      // With --out, a round's groups and shards go with it (app/audit.ts exportHistories).
      return file ? { written: await exportHistories(client, workflowId, file, runId) } : { history: (await fetchHistory(client, workflowId, runId)).history };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new Error(`no workflow ${workflowId}${runId ? ` with run ${runId}` : ''} on ${env.TEMPORAL_ADDRESS}`, { cause: err });
      throw err;
    }
  });
  if (result.history) {
    process.stdout.write(historyToJSON(result.history) + '\n');
    return;
  }
  const [own, ...children] = result.written!;
  if (json) printJson({ ...own, shards: children });
  else for (const w of result.written!) print(`wrote ${w.file} (${w.workflowId}, run ${w.runId}, ${w.events} events)`);
}

async function exportYear(flags: ConnectionFlags, year: number, out: string, json: boolean | undefined): Promise<void> {
  const env = settingsFrom(flags);
  const written = await withTemporal(env, async (client) => {
    const runs = await listRuns(client, (id) => belongsToYear(id, year) || id.startsWith('program:'));
    const files: Array<{ workflowId: string; runId: string; file: string; events: number }> = [];
    const perId = new Map<string, number>();
    for (const r of runs) perId.set(r.workflowId, (perId.get(r.workflowId) ?? 0) + 1);
    for (const run of runs) {
      const { history } = await fetchHistory(client, run.workflowId, run.runId);
      // A program run belongs to the year it ran the cycle of.
      if (run.workflowId.startsWith('program:') && !programRunOfYear(history, year)) continue;
      const file = path.join(out, fileNameFor(run.workflowId, (perId.get(run.workflowId) ?? 0) > 1 ? { runId: run.runId } : {}));
      writeHistoryFile(file, history);
      files.push({ workflowId: run.workflowId, runId: run.runId, file, events: history.events?.length ?? 0 });
      note(`exported ${run.workflowId} (${run.status.toLowerCase()}, ${history.events?.length ?? 0} events)`);
    }
    return files;
  });
  if (!written.length) throw new Error(`no workflow of ${year} on ${env.TEMPORAL_ADDRESS} (looked for cycle:*:${year} and round:*:${year}-*)`);
  if (json) printJson(written);
  else print(`wrote ${written.length} histories to ${out}`);
}

function programRunOfYear(history: History, year: number): boolean {
  return (history.events ?? []).some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId?.endsWith(`:${year}`));
}

function printOutcome(o: ReplayOutcome): void {
  if (o.ok) {
    print(`ok ${o.file}`);
    return;
  }
  print(`FAILED ${o.file}: ${o.error}`);
  if (o.divergedAt) print(`  diverged at ${o.divergedAt.description}`);
}

export interface AuditExportFlags extends ConnectionFlags {
  out?: string;
  runId?: string;
  all?: boolean;
  year?: number;
  json?: boolean;
}

/** `kybao audit export`: one workflow's history, or with --all every workflow of a year. */
export async function auditExport(workflowId: string | undefined, opts: AuditExportFlags): Promise<void> {
  if (opts.all) {
    if (workflowId) throw new Error('give either a workflow id or --all --year Y, not both');
    if (!opts.year) throw new Error('--all needs --year Y');
    if (!opts.out) throw new Error('--all needs --out DIR');
    return exportYear(opts, opts.year, opts.out, opts.json);
  }
  if (!workflowId) throw new Error('give a workflow id (e.g. round:qd-925-thai-binh:2026-Q4) or --all --year Y --out DIR');
  return exportOne(opts, workflowId, opts.runId, opts.out, opts.json);
}

export interface AuditReplayFlags {
  workflows?: string;
  json?: boolean;
}

/** `kybao audit replay`: every history against the current workflow code; exit code 1 if any failed. */
export async function auditReplay(paths: string[], opts: AuditReplayFlags): Promise<void> {
  const outcomes = await replayHistories(paths, {
    ...(opts.workflows ? { workflowsPath: path.resolve(opts.workflows) } : {}),
    ...(opts.json ? {} : { onResult: printOutcome }),
  });
  const failed = outcomes.filter((o) => !o.ok).length;
  if (opts.json) printJson(outcomes);
  else note(`${outcomes.length - failed} of ${outcomes.length} histories replayed ok`);
  if (failed) process.exitCode = 1;
}

export interface AuditTimelineFlags extends ConnectionFlags {
  runId?: string;
  program?: string;
  database: boolean;
  maxRecipients?: number;
  json?: boolean;
}

/** `kybao audit timeline`: one run as a story in local time, from the server or an exported file. */
export async function auditTimeline(target: string, opts: AuditTimelineFlags): Promise<void> {
  const env = settingsFrom(opts);
  let history: History;
  // A round is told with its shards: from the server, the shards it started; from a file, the shard files
  // exported beside it (round__<id>__shard-<n>.json, and __shard-<n>.<run>.json for its earlier runs).
  let shardHistories: History[];
  if (isFile(target) || target.toLowerCase().endsWith('.json')) {
    history = readHistoryFile(target).history;
    const dir = path.dirname(target);
    const base = path.basename(target).replace(/(\.[0-9a-f]{8})?\.json$/i, '');
    shardHistories = readdirSync(dir)
      .filter((f) => f.startsWith(`${base}__shard-`) && f.endsWith('.json'))
      .sort()
      .map((f) => readHistoryFile(path.join(dir, f)).history);
  } else {
    const fetched = await withTemporal(env, async (client) => {
      try {
        const own = (await fetchHistory(client, target, opts.runId)).history;
        const shards = (await roundChildRuns(client, own, { groups: false })).map((r) => r.history);
        return { own, shards };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new Error(`no workflow ${target} on ${env.TEMPORAL_ADDRESS}; give an exported history file instead`, { cause: err });
        throw err;
      }
    });
    history = fetched.own;
    shardHistories = fetched.shards;
  }
  const explicit: Program | null = opts.program ? loadProgramFile(opts.program) : null;
  let db: Db | null = null;
  if (opts.database) {
    try {
      db = createPrismaClient(env.DATABASE_URL);
    } catch {
      db = null;
    }
  }
  try {
    const options = {
      ...(db ? { recipients: outboxRecipients(db) } : {}),
      programFor: programResolver({ db, file: explicit }),
    };
    const own = await buildTimeline(history, options);
    const timeline = shardHistories.length ? mergeTimelines([own, ...(await Promise.all(shardHistories.map((h) => buildTimeline(h, options))))]) : own;
    if (opts.json) printJson(timeline);
    else print(renderTimeline(timeline, opts.maxRecipients ? { maxDetails: opts.maxRecipients } : {}));
  } finally {
    await db?.$disconnect();
  }
}
