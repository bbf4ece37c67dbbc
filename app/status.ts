import type { Db } from '../infra/db/client';
import { listRounds, type RoundRecord } from '../infra/db/round-repository';
import type { CycleRoundSummary, CycleStatus } from '../domain/cycle/schema';
import type { Program } from '../domain/program/schema';
import type { ObligationStatus, RoundKind, UnitRoundStatus } from '../domain/round/schema';
import type { EstimateState } from '../domain/cycle/schema';
import { cycleWorkflowId } from '../workflows/ids';
import type { WorkflowGateway } from './workflow-gateway';

/**
 * Who has reported what: the compliance matrix of a year (units × rounds), one round unit by unit, and
 * timeliness per quarter across years. Per-unit data is read from the database (Round, Obligation,
 * Submission, the audit log for extensions, the outbox for what was sent), which the round workflows
 * keep up to date before they answer an Update; the workflows are asked only for the cycle's phase,
 * approval and live estimates. Large rounds are read a page of units at a time.
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
  source: 'database' | 'schedule';
  counts: Record<ObligationStatus, number>;
  completionRate: number | null;
  timelinessRate: number | null;
  units: UnitRoundStatus[];
}

export interface YearView {
  programId: string;
  year: number;
  timeZone: string;
  cycle: { workflowId: string; running: boolean; phase: CycleStatus['phase'] | null; approval: CycleStatus['approval']; estimates: EstimateState[] } | null;
  rounds: RoundView[];
}

export const emptyCounts = (): Record<ObligationStatus, number> => ({ pending: 0, submitted: 0, late: 0, overdue: 0, missing: 0, extended: 0, 'not-tracked': 0 });

/** Short column key of a round: "2026-Q4" → "Q4", "2026-adhoc-1" → "adhoc-1". */
export function roundKeyOf(roundId: string, year: number): string {
  const key = roundId.slice(roundId.lastIndexOf(':') + 1);
  return key.startsWith(`${year}-`) ? key.slice(String(year).length + 1) : key;
}

export const ROUND_PAGE_SIZE = 500;

/** The columns of an obligation a unit's status shows. */
const OBLIGATION_COLUMNS = { id: true, unitId: true, dueAt: true, status: true, submittedAt: true, lateByMs: true } as const;
type ObligationRow = { id: number; unitId: string; dueAt: Date; status: string; submittedAt: Date | null; lateByMs: bigint | null };

/**
 * Units of a round from its obligation rows (unit-id order) plus their submissions, extensions and the
 * notices sent to them: three more queries selecting only the columns shown. `unitIds` narrows those
 * reads to a page of units; without it the whole round is read at once (the year's matrix).
 */
async function unitsOf(db: Db, roundId: string, obligations: ObligationRow[], unitIds: string[] | null): Promise<UnitRoundStatus[]> {
  if (!obligations.length) return [];
  const [versions, moves, notices] = await Promise.all([
    db.submission.findMany({
      where: unitIds ? { obligationId: { in: obligations.map((o) => o.id) } } : { obligation: { roundId } },
      select: { obligationId: true, version: true, submittedAt: true, fileRef: true, submittedBy: true },
      orderBy: [{ obligationId: 'asc' }, { version: 'asc' }],
    }),
    db.auditLog.findMany({
      where: { roundId, action: 'obligation.status', ...(unitIds ? { unitId: { in: unitIds } } : {}) },
      select: { unitId: true, details: true, actor: true, at: true },
      orderBy: { id: 'asc' },
    }),
    db.notification.findMany({
      where: { roundId, ...(unitIds ? { unitId: { in: unitIds } } : { unitId: { not: null } }) },
      select: { unitId: true, kind: true, step: true },
      orderBy: { id: 'asc' },
    }),
  ]);
  const submissions = new Map<number, UnitRoundStatus['submissions']>();
  for (const v of versions) {
    const list = submissions.get(v.obligationId) ?? [];
    list.push({ version: v.version, at: v.submittedAt.toISOString(), reference: v.fileRef ?? '', by: v.submittedBy });
    submissions.set(v.obligationId, list);
  }
  const extensions = new Map<string, UnitRoundStatus['extensions']>();
  for (const m of moves) {
    // Only moves of the deadline are extensions; the audit details are JSON text (schema header).
    if (!m.unitId || !m.details.includes('dueAt')) continue;
    const d = JSON.parse(m.details) as { changes?: { dueAt?: { to: string } }; reason?: string };
    if (!d.changes?.dueAt) continue;
    const list = extensions.get(m.unitId) ?? [];
    list.push({ until: d.changes.dueAt.to, reason: d.reason ?? '', by: m.actor, at: m.at.toISOString() });
    extensions.set(m.unitId, list);
  }
  const sent = new Map<string, string[]>();
  for (const n of notices) {
    if (!n.unitId) continue;
    const list = sent.get(n.unitId) ?? [];
    list.push(`${n.kind}:${n.step ?? ''}`);
    sent.set(n.unitId, list);
  }
  return obligations.map((o) => ({
    unitId: o.unitId,
    dueAt: o.dueAt.toISOString(),
    status: o.status as ObligationStatus,
    submittedAt: o.submittedAt?.toISOString() ?? null,
    lateByMs: o.lateByMs === null ? null : Number(o.lateByMs),
    submissions: submissions.get(o.id) ?? [],
    extensions: extensions.get(o.unitId) ?? [],
    sent: sent.get(o.unitId) ?? [],
  }));
}

/**
 * One page of a round's units, in unit-id order, with their submissions, extensions and the notices
 * sent to them. `offset`/`limit` page through rounds of thousands of units.
 */
export async function roundUnitsPage(db: Db, roundId: string, page: { offset?: number; limit?: number } = {}): Promise<UnitRoundStatus[]> {
  const obligations = await db.obligation.findMany({ where: { roundId }, orderBy: { unitId: 'asc' }, skip: page.offset ?? 0, take: page.limit ?? ROUND_PAGE_SIZE, select: OBLIGATION_COLUMNS });
  return unitsOf(db, roundId, obligations, obligations.map((o) => o.unitId));
}

/**
 * Every unit of a round, in unit-id order: four queries whatever the round's size (10,000 units read
 * page by page took seconds per round).
 */
export async function allRoundUnits(db: Db, roundId: string): Promise<UnitRoundStatus[]> {
  const obligations = await db.obligation.findMany({ where: { roundId }, orderBy: { unitId: 'asc' }, select: OBLIGATION_COLUMNS });
  return unitsOf(db, roundId, obligations, null);
}

/** A unit's status in a round: one cell of the year's matrix. */
export interface UnitStatusCell {
  unitId: string;
  status: ObligationStatus;
}

/**
 * The status of each unit of a round, in unit-id order (a page of them with `offset`/`limit`): one
 * query of two columns, for views that show a cell per unit (the dashboard's matrix, the year's API).
 */
export async function roundStatuses(db: Db, roundId: string, page: { offset?: number; limit?: number } = {}): Promise<UnitStatusCell[]> {
  const rows = await db.obligation.findMany({ where: { roundId }, orderBy: { unitId: 'asc' }, skip: page.offset ?? 0, ...(page.limit === undefined ? {} : { take: page.limit }), select: { unitId: true, status: true } });
  return rows.map((r) => ({ unitId: r.unitId, status: r.status as ObligationStatus }));
}

/** Counts and rates of a round, computed in the database. */
export async function roundCounts(db: Db, roundId: string): Promise<{ counts: Record<ObligationStatus, number>; completionRate: number; timelinessRate: number }> {
  const groups = await db.obligation.groupBy({ by: ['status'], where: { roundId }, _count: { _all: true } });
  const counts = emptyCounts();
  for (const g of groups) counts[g.status as ObligationStatus] = g._count._all;
  const tracked = Object.values(counts).reduce((a, b) => a + b, 0) - counts['not-tracked'];
  return { counts, completionRate: tracked ? (counts.submitted + counts.late) / tracked : 0, timelinessRate: tracked ? counts.submitted / tracked : 0 };
}

/** A round with its units, as the database has it (the obligation rows are written as the round goes). */
export interface RoundFromDatabase {
  roundId: string;
  kind: RoundKind;
  title: { vi: string; en: string };
  deadline: string;
  closeAt: string;
  phase: 'open' | 'closed';
  closedAt: string | null;
  counts: Record<ObligationStatus, number>;
  completionRate: number;
  timelinessRate: number;
  units: UnitRoundStatus[];
}

/** A round as the database has it: its obligations now (a closed round's are final). */
export async function roundFromDatabase(db: Db, record: RoundRecord, options: { units?: boolean } = {}): Promise<RoundFromDatabase> {
  const { counts, completionRate, timelinessRate } = await roundCounts(db, record.id);
  return {
    roundId: record.id,
    kind: record.kind as RoundKind,
    title: record.title,
    deadline: record.deadline,
    closeAt: record.closedAt ?? record.deadline,
    phase: record.status === 'open' ? 'open' : 'closed',
    closedAt: record.closedAt,
    counts,
    completionRate,
    timelinessRate,
    units: options.units === false ? [] : await allRoundUnits(db, record.id),
  };
}

function view(summary: Pick<CycleRoundSummary, 'roundId' | 'kind' | 'title' | 'deadline' | 'state'>, year: number, status: RoundFromDatabase | null): RoundView {
  return {
    roundId: summary.roundId,
    key: roundKeyOf(summary.roundId, year),
    kind: summary.kind,
    title: summary.title,
    deadline: summary.deadline,
    state: status ? (status.phase === 'closed' ? 'closed' : 'open') : summary.state,
    source: status ? 'database' : 'schedule',
    counts: status?.counts ?? emptyCounts(),
    completionRate: status ? status.completionRate : null,
    timelinessRate: status ? status.timelinessRate : null,
    units: status?.units ?? [],
  };
}

/**
 * Everything a year's status shows: the cycle's phase and estimates from its workflow (when `gateway`
 * is given and the cycle exists), each round's units from the database, rounds the cycle has not
 * started yet from its schedule. `units: false` leaves every round's `units` empty (counts and rates
 * only), for views that read the cells with `roundStatuses`.
 */
export async function collectYear(
  c: { db: Db | null; gateway: WorkflowGateway | null },
  program: Program,
  year: number,
  onlyRound?: string,
  options: { units?: boolean } = {},
): Promise<YearView> {
  const cycle = c.gateway ? await c.gateway.cycleStatus(program, year) : null;
  const summaries: Array<Pick<CycleRoundSummary, 'roundId' | 'kind' | 'title' | 'deadline' | 'state'>> = [...(cycle?.status.rounds ?? [])];
  const records = c.db ? await listRounds(c.db, { programId: program.id, year }) : [];
  for (const r of records) {
    // The walking skeleton and the compilation record are not reporting rounds.
    if (r.kind === 'compilation' || r.kind === 'skeleton' || summaries.some((s) => s.roundId === r.id)) continue;
    summaries.push({ roundId: r.id, kind: r.kind, title: r.title, deadline: r.deadline, state: r.status === 'open' ? 'open' : 'closed' });
  }
  const rounds: RoundView[] = [];
  for (const s of summaries) {
    if (onlyRound && s.roundId !== onlyRound) continue;
    const record = records.find((r) => r.id === s.roundId);
    if (s.state === 'not-tracked' || !record || !c.db) {
      rounds.push(view(s, year, null));
      continue;
    }
    rounds.push(view(s, year, await roundFromDatabase(c.db, record, options)));
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

export interface QuarterTimeliness {
  year: number;
  quarter: number;
  roundId: string;
  /** units owing the report (tracked) */
  owed: number;
  onTime: number;
  late: number;
  /** onTime / owed, or null when nothing was owed */
  timelinessRate: number | null;
}

/** Timeliness of every quarterly round in the database, oldest first: the dashboard's chart. */
export async function timelinessByQuarter(db: Db, programId: string): Promise<QuarterTimeliness[]> {
  const rounds = await db.round.findMany({ where: { programId, kind: 'quarterly-report' }, orderBy: { deadline: 'asc' }, select: { id: true, year: true } });
  const out: QuarterTimeliness[] = [];
  for (const r of rounds) {
    const { counts } = await roundCounts(db, r.id);
    const owed = Object.values(counts).reduce((a, b) => a + b, 0) - counts['not-tracked'];
    const quarter = Number(/-Q(\d)$/.exec(r.id)?.[1] ?? 0);
    out.push({ year: r.year, quarter, roundId: r.id, owed, onTime: counts.submitted, late: counts.late, timelinessRate: owed ? counts.submitted / owed : null });
  }
  return out;
}

export interface CategoryRate {
  category: string;
  owed: number;
  submitted: number;
  onTime: number;
  completionRate: number | null;
  timelinessRate: number | null;
}

/** Completion and timeliness per unit category over a year's rounds (from the matrix, or its cells). */
export function ratesByCategory(program: Program, y: { rounds: ReadonlyArray<{ units: ReadonlyArray<UnitStatusCell> }> }): CategoryRate[] {
  const categoryOf = new Map(program.units.map((u) => [u.id, u.category]));
  const acc = new Map<string, CategoryRate>();
  for (const r of y.rounds) {
    for (const u of r.units) {
      if (u.status === 'not-tracked') continue;
      const cat = categoryOf.get(u.unitId) ?? 'other';
      const a = acc.get(cat) ?? { category: cat, owed: 0, submitted: 0, onTime: 0, completionRate: null, timelinessRate: null };
      a.owed += 1;
      if (u.status === 'submitted' || u.status === 'late') a.submitted += 1;
      if (u.status === 'submitted') a.onTime += 1;
      acc.set(cat, a);
    }
  }
  return [...acc.values()].map((a) => ({ ...a, completionRate: a.owed ? a.submitted / a.owed : null, timelinessRate: a.owed ? a.onTime / a.owed : null }));
}
