import type { ObligationStatus, ParsedRoundInput, RoundStatus, UnitRoundStatus } from '../domain/round/schema';
import { lateByMs as lateBy, lateness } from '../domain/round/lateness';
import { planActions, type PlannedAction } from '../domain/round/plan';

/**
 * The state of one reporting round, kept apart from the workflow so it can be carried across
 * continue-as-new and reasoned about without Temporal. Everything here is deterministic.
 */
export interface UnitState {
  unitId: string;
  dueAt: number;
  status: ObligationStatus;
  submittedAt: number | null;
  submissions: Array<{ version: number; at: number; reference: string; by: string; amountVnd?: string }>;
  extensions: Array<{ until: number; reason: string; by: string; at: number }>;
  /** Keys of actions already done (e.g. "reminder-3", "overdue", "escalation-1"): never done twice. */
  sent: string[];
}

export interface RoundStateData {
  units: UnitState[];
  closeAt: number;
  trackFrom: number;
  opened: boolean;
  closedAt: number | null;
}

export interface DueAction extends PlannedAction {
  unitId: string;
}

export class RoundState {
  private readonly byId: Map<string, UnitState>;
  // Units share deadlines, so the calendar is consulted once per distinct due instant.
  private readonly plans = new Map<number, PlannedAction[]>();

  constructor(
    readonly input: ParsedRoundInput,
    readonly data: RoundStateData,
  ) {
    this.byId = new Map(data.units.map((u) => [u.unitId, u]));
  }

  private plan(dueAt: number): PlannedAction[] {
    let plan = this.plans.get(dueAt);
    if (!plan) {
      plan = planActions(dueAt, this.input.rules);
      this.plans.set(dueAt, plan);
    }
    return plan;
  }

  static start(input: ParsedRoundInput, now: number): RoundState {
    const deadline = Date.parse(input.deadline);
    const trackFrom = input.trackFrom ? Date.parse(input.trackFrom) : now;
    const units: UnitState[] = input.unitIds.map((unitId) => ({
      unitId,
      dueAt: deadline,
      status: deadline <= trackFrom ? 'not-tracked' : 'pending',
      submittedAt: null,
      submissions: [],
      extensions: [],
      sent: [],
    }));
    const state = new RoundState(input, { units, closeAt: 0, trackFrom, opened: false, closedAt: null });
    state.data.closeAt = state.latestCloseAt();
    return state;
  }

  unit(unitId: string): UnitState | undefined {
    return this.byId.get(unitId);
  }

  get closed(): boolean {
    return this.data.closedAt !== null;
  }

  /** True when no unit still owes a tracked report, so the round has nothing left to wait for. */
  everyoneSubmittedOrUntracked(): boolean {
    return this.data.units.every((u) => u.submittedAt !== null || u.status === 'not-tracked');
  }

  /** Actions still to do for units that have not submitted, earliest first; past ones are never planned. */
  pendingActions(): DueAction[] {
    const out: DueAction[] = [];
    for (const unit of this.data.units) {
      if (unit.submittedAt !== null || unit.status === 'not-tracked') continue;
      for (const action of this.plan(unit.dueAt)) {
        if (unit.sent.includes(action.key) || action.at < this.data.trackFrom) continue;
        out.push({ ...action, unitId: unit.unitId });
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }

  nextWakeUp(): number {
    const next = this.pendingActions()[0];
    return Math.min(next ? next.at : Infinity, this.data.closeAt);
  }

  /** The round closes after the input's cut-off and never before every unit's last escalation. */
  latestCloseAt(): number {
    const explicit = this.input.closeAt ? Date.parse(this.input.closeAt) : 0;
    let latest = explicit;
    for (const unit of this.data.units) {
      const actions = this.plan(unit.dueAt);
      const last = actions.length ? actions[actions.length - 1]!.at : unit.dueAt;
      latest = Math.max(latest, last, unit.dueAt);
    }
    return latest;
  }

  markSent(actions: DueAction[]): void {
    for (const a of actions) {
      const unit = this.byId.get(a.unitId)!;
      unit.sent.push(a.key);
      if (a.kind === 'overdue' && unit.submittedAt === null) unit.status = 'overdue';
    }
  }

  recordSubmission(
    unitId: string,
    version: number,
    at: number,
    reference: string,
    by: string,
    amountVnd?: string,
  ): { onTime: boolean; lateByMs: number } {
    const unit = this.byId.get(unitId)!;
    unit.submissions.push({ version, at, reference, by, ...(amountVnd ? { amountVnd } : {}) });
    const { late, lateByMs, status } = lateness(at, unit.dueAt);
    if (unit.submittedAt === null) {
      unit.submittedAt = at;
      unit.status = status;
    }
    return { onTime: !late, lateByMs };
  }

  extend(unitId: string, until: number, reason: string, by: string, at: number): void {
    const unit = this.byId.get(unitId)!;
    unit.extensions.push({ until, reason, by, at });
    unit.dueAt = until;
    if (unit.submittedAt === null) unit.status = 'extended';
    this.data.closeAt = Math.max(this.data.closeAt, this.latestCloseAt());
  }

  close(at: number): void {
    this.data.closedAt = at;
    for (const unit of this.data.units) {
      if (unit.submittedAt === null && unit.status !== 'not-tracked') unit.status = 'missing';
    }
  }

  status(): RoundStatus {
    const counts = { pending: 0, submitted: 0, late: 0, overdue: 0, missing: 0, extended: 0, 'not-tracked': 0 } as Record<ObligationStatus, number>;
    for (const u of this.data.units) counts[u.status] += 1;
    const tracked = this.data.units.filter((u) => u.status !== 'not-tracked').length;
    const done = counts.submitted + counts.late;
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      roundId: this.input.roundId,
      kind: this.input.kind,
      title: this.input.title,
      deadline: this.input.deadline,
      closeAt: iso(this.data.closeAt),
      phase: this.closed ? 'closed' : 'open',
      closedAt: this.data.closedAt === null ? null : iso(this.data.closedAt),
      counts,
      completionRate: tracked ? done / tracked : 0,
      timelinessRate: tracked ? counts.submitted / tracked : 0,
      units: this.data.units.map(
        (u): UnitRoundStatus => ({
          unitId: u.unitId,
          dueAt: iso(u.dueAt),
          status: u.status,
          submittedAt: u.submittedAt === null ? null : iso(u.submittedAt),
          lateByMs: u.submittedAt === null ? null : lateBy(u.submittedAt, u.dueAt),
          submissions: u.submissions.map((s) => ({ ...s, at: iso(s.at) })),
          extensions: u.extensions.map((e) => ({ ...e, until: iso(e.until), at: iso(e.at) })),
          sent: [...u.sent],
        }),
      ),
    };
  }
}
