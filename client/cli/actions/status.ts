import { DateTime } from 'luxon';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { CycleStatus } from '../../../domain/cycle/schema';
import type { Program } from '../../../domain/program/schema';
import { collectYear, type CellStatus, type RoundView, type YearView } from '../../../app/status';
import { yearOfRound } from '../../../app/programs';
import { WorkflowGateway } from '../../../app/workflow-gateway';
import { settingsFrom, withApp, type ConnectionFlags } from '../connection';
import { lateBy, localTime, percent, print, printJson, table } from '../output';
import type { ProgramFlags } from '../commands/common';
import { resolveProgram, roundIdFrom } from './common';

/**
 * `kybao status`: who has reported what in a cycle year, from the application layer (app/status.ts):
 * the cycle's phase from its workflow, every round's units from the database.
 */
export type { CellStatus, RoundView, YearView } from '../../../app/status';
export { roundKeyOf } from '../../../app/status';

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

/** The cycle's status through the workflow gateway. */
export function cycleStatusOf(client: Client, program: Program, year: number): Promise<{ status: CycleStatus; running: boolean } | null> {
  return new WorkflowGateway(client, { taskQueue: '' }).cycleStatus(program, year);
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
    u.status === 'late' ? lateBy(u.lateByMs) : '',
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

/** `kybao status`: the year's matrix of units × rounds, or one round in detail. */
export async function status(opts: StatusFlags): Promise<void> {
  const env = settingsFrom(opts);
  await withApp(env, async (c) => {
    const def = await resolveProgram(c.db, opts);
    const roundId = opts.round ? roundIdFrom(opts.round, def.id) : undefined;
    const year = opts.year ?? (roundId ? yearOfRound(roundId) : null) ?? currentYear(def.timeZone);
    const y = await collectYear(c, def, year, roundId);
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
