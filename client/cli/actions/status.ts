import { DateTime } from 'luxon';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Db } from '../../../infra/db/client';
import { listObligations, listRounds, type RoundRecord } from '../../../infra/db/round-repository';
import type { CycleRoundSummary, CycleStatus } from '../../../domain/cycle/schema';
import type { Program } from '../../../domain/program/schema';
import type { ObligationStatus, RoundStatus, UnitRoundStatus } from '../../../domain/round/schema';
import { cycleStatusQuery } from '../../../workflows/cycle';
import { cycleWorkflowId, roundWorkflowId } from '../../../workflows/ids';
import { roundStatusQuery } from '../../../workflows/round';
import { liveEstimates } from '../../estimates';
import { settingsFrom, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { duration, localTime, percent, print, printJson, table } from '../output';
import type { ProgramFlags } from '../commands/common';
import { resolveProgram, roundIdFrom } from './common';

/**
 * `kybao status`: who has reported what in a cycle year. The running cycle and rounds answer queries;
 * rounds that are no longer running are read from the database (their final result).
 */

export type CellStatus = ObligationStatus | 'not-in-round' | 'scheduled';

export interface RoundView {
  roundId: string;
  key: string;
  kind: string;
  title: { vi: string; en: string };
  deadline: string;
  state: 'scheduled' | 'open' | 'closed' | 'not-tracked';
  /** Where the unit data came from. */
  source: 'workflow' | 'database' | 'schedule';
  counts: Record<ObligationStatus, number>;
  completionRate: number | null;
  timelinessRate: number | null;
  units: UnitRoundStatus[];
}

export interface YearView {
  programId: string;
  year: number;
  timeZone: string;
  cycle: { workflowId: string; running: boolean; phase: CycleStatus['phase'] | null; approval: CycleStatus['approval']; estimates: CycleStatus['estimates'] } | null;
  rounds: RoundView[];
}

const EMPTY_COUNTS = (): Record<ObligationStatus, number> => ({ pending: 0, submitted: 0, late: 0, overdue: 0, missing: 0, extended: 0, 'not-tracked': 0 });

/** Short column key of a round: "2026-Q4" → "Q4", "2026-adhoc-1" → "adhoc-1". */
export function roundKeyOf(roundId: string, year: number): string {
  const key = roundId.slice(roundId.lastIndexOf(':') + 1);
  return key.startsWith(`${year}-`) ? key.slice(String(year).length + 1) : key;
}

const QUERY_TIMEOUT_MS = 15_000;

export async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${QUERY_TIMEOUT_MS / 1000}s; is a kybao worker running?`)), QUERY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** RUNNING / COMPLETED / … of a workflow, or null when Temporal does not know it. */
export async function workflowState(handle: WorkflowHandle): Promise<string | null> {
  try {
    return (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

export async function cycleStatusOf(client: Client, program: Program, year: number): Promise<{ status: CycleStatus; running: boolean } | null> {
  const handle = client.workflow.getHandle(cycleWorkflowId(program.id, year));
  const state = await workflowState(handle);
  if (state === null) return null;
  if (state === 'COMPLETED') return { status: (await handle.result()) as CycleStatus, running: false };
  if (state !== 'RUNNING') return null;
  const status = await withTimeout(handle.query(cycleStatusQuery), `querying ${handle.workflowId}`);
  // Until appraisal ends, the estimate groups hold the live estimates; the cycle knows the plans' ones.
  if (status.phase === 'planning' || status.phase === 'appraisal') status.estimates = await liveEstimates(client, program, year, status.estimates);
  return { status, running: true };
}

async function roundFromWorkflow(client: Client, roundId: string): Promise<RoundStatus | null> {
  const handle = client.workflow.getHandle(roundWorkflowId(roundId));
  const state = await workflowState(handle);
  if (state === 'RUNNING') return withTimeout(handle.query(roundStatusQuery), `querying ${handle.workflowId}`);
  if (state === 'COMPLETED') return (await handle.result()) as RoundStatus;
  return null;
}

async function roundFromDatabase(db: Db, record: RoundRecord): Promise<RoundStatus> {
  const result = record.result as Partial<RoundStatus> | null;
  if (result && Array.isArray(result.units)) return result as RoundStatus;
  // Not closed (or closed without a result): the obligations are the round's durable projection.
  const obligations = await listObligations(db, record.id);
  const counts = EMPTY_COUNTS();
  for (const o of obligations) counts[o.status] += 1;
  const tracked = obligations.filter((o) => o.status !== 'not-tracked').length;
  return {
    roundId: record.id,
    kind: record.kind as RoundStatus['kind'],
    title: record.title,
    deadline: record.deadline,
    closeAt: record.closedAt ?? record.deadline,
    phase: record.status === 'open' ? 'open' : 'closed',
    closedAt: record.closedAt,
    counts,
    completionRate: tracked ? (counts.submitted + counts.late) / tracked : 0,
    timelinessRate: tracked ? counts.submitted / tracked : 0,
    units: obligations.map((o) => ({
      unitId: o.unitId,
      dueAt: o.dueAt,
      status: o.status,
      submittedAt: o.submittedAt,
      lateByMs: o.lateByMs,
      submissions: [],
      extensions: [],
      sent: [],
    })),
  };
}

function view(summary: Pick<CycleRoundSummary, 'roundId' | 'kind' | 'title' | 'deadline' | 'state'>, year: number, status: RoundStatus | null, source: RoundView['source']): RoundView {
  return {
    roundId: summary.roundId,
    key: roundKeyOf(summary.roundId, year),
    kind: summary.kind,
    title: summary.title,
    deadline: summary.deadline,
    state: status ? (status.phase === 'closed' ? 'closed' : 'open') : summary.state,
    source: status ? source : 'schedule',
    counts: status?.counts ?? EMPTY_COUNTS(),
    completionRate: status ? status.completionRate : null,
    timelinessRate: status ? status.timelinessRate : null,
    units: status?.units ?? [],
  };
}

/** Everything `kybao status` shows for a year, from the workflows where they run and the database otherwise. */
export async function collectYear(client: Client | null, db: Db | null, program: Program, year: number, onlyRound?: string): Promise<YearView> {
  const cycle = client ? await cycleStatusOf(client, program, year) : null;
  const summaries: Array<Pick<CycleRoundSummary, 'roundId' | 'kind' | 'title' | 'deadline' | 'state'>> = [...(cycle?.status.rounds ?? [])];
  const records = db ? await listRounds(db, { programId: program.id, year }) : [];
  for (const r of records) {
    // The walking skeleton and the compilation record are not reporting rounds.
    if (r.kind === 'compilation' || r.kind === 'skeleton' || summaries.some((s) => s.roundId === r.id)) continue;
    summaries.push({ roundId: r.id, kind: r.kind, title: r.title, deadline: r.deadline, state: r.status === 'open' ? 'open' : 'closed' });
  }
  const rounds: RoundView[] = [];
  for (const s of summaries) {
    if (onlyRound && s.roundId !== onlyRound) continue;
    if (s.state === 'not-tracked' || s.state === 'scheduled') {
      rounds.push(view(s, year, null, 'schedule'));
      continue;
    }
    const record = records.find((r) => r.id === s.roundId);
    let status: RoundStatus | null = null;
    let source: RoundView['source'] = 'workflow';
    // A closed round's result is in the database; a running one answers its query.
    if (record && record.status !== 'open' && db) {
      status = await roundFromDatabase(db, record);
      source = 'database';
    } else if (client) {
      status = await roundFromWorkflow(client, s.roundId);
    }
    if (!status && record && db) {
      status = await roundFromDatabase(db, record);
      source = 'database';
    }
    rounds.push(view(s, year, status, source));
  }
  rounds.sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline) || a.roundId.localeCompare(b.roundId));
  return {
    programId: program.id,
    year,
    timeZone: program.timeZone,
    cycle: cycle
      ? { workflowId: cycleWorkflowId(program.id, year), running: cycle.running, phase: cycle.status.phase, approval: cycle.status.approval, estimates: cycle.status.estimates }
      : null,
    rounds,
  };
}

const LABEL: Record<CellStatus, string> = {
  submitted: 'on time',
  late: 'late',
  missing: 'missing',
  pending: 'pending',
  extended: 'extended',
  overdue: 'overdue',
  'not-tracked': 'not tracked',
  'not-in-round': '·',
  scheduled: '…',
};

export function cellLabel(status: CellStatus): string {
  return LABEL[status];
}

/** Units × rounds, with each round's counts and rates under it. */
export function renderYear(program: Program, y: YearView): string {
  const zone = program.timeZone;
  const lines: string[] = [];
  const cycleLine = y.cycle
    ? `cycle ${y.cycle.workflowId}: ${y.cycle.running ? 'running' : 'closed'}, phase ${y.cycle.phase}${y.cycle.approval ? `, plan approved by ${y.cycle.approval.approvedBy}` : ''}`
    : `no cycle workflow for ${y.year}; rounds from the database`;
  lines.push(`${program.id} — ${y.year} (local times ${zone})`, cycleLine, '');
  // Budget revision rounds hold one unit each: they are in the summary, not in the matrix.
  const shown = y.rounds.filter((r) => r.units.length > 0 && r.kind !== 'budget-revision');
  if (shown.length) {
    const unitIds = program.units.map((u) => u.id).filter((id) => shown.some((r) => r.units.some((u) => u.unitId === id)));
    const rows = unitIds.map((id) => [
      id,
      ...shown.map((r) => {
        const u = r.units.find((x) => x.unitId === id);
        return cellLabel(u ? u.status : 'not-in-round');
      }),
    ]);
    lines.push(table(['unit', ...shown.map((r) => r.key)], rows));
  } else {
    lines.push('(no round with units yet)\n');
  }
  const summary = y.rounds.map((r) => [
    r.key,
    r.kind,
    r.state,
    localTime(r.deadline, zone),
    String(r.counts.submitted),
    String(r.counts.late),
    String(r.counts.missing),
    String(r.counts.pending),
    String(r.counts.extended),
    String(r.counts.overdue),
    String(r.counts['not-tracked']),
    percent(r.completionRate),
    percent(r.timelinessRate),
  ]);
  lines.push(
    table(
      ['round', 'kind', 'state', 'deadline', 'on time', 'late', 'missing', 'pending', 'extended', 'overdue', 'not tracked', 'completion', 'timeliness'],
      summary,
      { right: [4, 5, 6, 7, 8, 9, 10, 11, 12] },
    ),
  );
  return lines.join('\n');
}

/** One round, one line per unit: status, deadline in force, submission, lateness, extensions. */
export function renderRound(program: Program, r: RoundView): string {
  const zone = program.timeZone;
  const head = [
    `${r.roundId} — ${r.title.vi}`,
    `${r.kind}, ${r.state}, deadline ${localTime(r.deadline, zone)} (${zone}); completion ${percent(r.completionRate) || '–'}, timeliness ${percent(r.timelinessRate) || '–'}`,
    '',
  ];
  const rows = r.units.map((u) => [
    u.unitId,
    cellLabel(u.status),
    localTime(u.dueAt, zone),
    localTime(u.submittedAt, zone),
    u.lateByMs ? duration(u.lateByMs) : '',
    String(u.submissions.length || (u.submittedAt ? 1 : 0)),
    u.extensions.map((e) => `until ${localTime(e.until, zone)} by ${e.by}: ${e.reason}`).join('; '),
  ]);
  return head.join('\n') + table(['unit', 'status', 'due', 'submitted', 'late by', 'versions', 'extensions'], rows);
}

export function currentYear(zone: string): number {
  return DateTime.now().setZone(zone).year;
}

export interface StatusFlags extends ConnectionFlags, ProgramFlags {
  year?: number;
  round?: string;
  json?: boolean;
}

/** `kybao status`: the year's matrix, or one round in detail. */
export async function status(opts: StatusFlags): Promise<void> {
  const env = settingsFrom(opts);
  await withDatabase(env, async (db) => {
    const def = await resolveProgram(db, opts);
    const roundId = opts.round ? roundIdFrom(opts.round, def.id) : undefined;
    const yearFromRound = roundId ? Number(/:(\d{4})-/.exec(roundId)?.[1]) : NaN;
    const year = opts.year ?? (Number.isInteger(yearFromRound) ? yearFromRound : currentYear(def.timeZone));
    const y = await withTemporal(env, (client) => collectYear(client, db, def, year, roundId));
    if (roundId) {
      const r = y.rounds.find((x) => x.roundId === roundId);
      if (!r) throw new Error(`no round ${roundId} in ${year}: neither the cycle nor the database knows it (see "kybao status --year ${year}")`);
      if (opts.json) printJson(r);
      else print(renderRound(def, r));
      return;
    }
    if (opts.json) printJson(y);
    else print(renderYear(def, y));
  });
}
