import type { ObligationStatus, ParsedShardInput, ShardStatus, StatusCounts, UnitRoundStatus } from '../domain/round/schema';
import { emptyCounts } from '../domain/round/schema';
import { isLate, lateByMs } from '../domain/round/lateness';
import { planActions, type PlannedAction } from '../domain/round/plan';
import type { ShardUnit } from '../activities/round-types';

/**
 * The obligations one shard of a round holds (at most the round's shard size), kept apart from the
 * workflow so it can be carried across continue-as-new and reasoned about without Temporal. Everything
 * here is deterministic and synchronous: a handler that changes this state does so before its first
 * await, so the next Update's validator already sees the change.
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

export interface ShardStateData {
  units: UnitState[];
  closeAt: number;
  trackFrom: number;
  /** The opening notice (or ad hoc announcement) has been queued for the shard's units. */
  announced: boolean;
  closedAt: number | null;
}

export interface DueAction extends PlannedAction {
  unitId: string;
}


export class ShardState {
  private readonly byId: Map<string, UnitState>;
  // Units share deadlines, so the calendar is consulted once per distinct due instant.
  private readonly plans = new Map<number, PlannedAction[]>();

  constructor(
    readonly input: ParsedShardInput,
    readonly data: ShardStateData,
  ) {
    this.byId = new Map(data.units.map((u) => [u.unitId, u]));
  }

  static start(input: ParsedShardInput, units: ShardUnit[]): ShardState {
    const trackFrom = Date.parse(input.trackFrom);
    const state = new ShardState(input, {
      units: units.map((u) => ({ unitId: u.unitId, dueAt: Date.parse(u.dueAt), status: u.status, submittedAt: null, submissions: [], extensions: [], sent: [] })),
      closeAt: 0,
      trackFrom,
      announced: false,
      closedAt: null,
    });
    state.data.closeAt = state.latestCloseAt();
    return state;
  }

  /** Every action around a due instant, including escalations addressed above the unit (for the cut-off). */
  private plan(dueAt: number): PlannedAction[] {
    let plan = this.plans.get(dueAt);
    if (!plan) {
      plan = planActions(dueAt, this.input.rules);
      this.plans.set(dueAt, plan);
    }
    return plan;
  }

  unit(unitId: string): UnitState | undefined {
    return this.byId.get(unitId);
  }

  get closed(): boolean {
    return this.data.closedAt !== null;
  }

  /** True when no unit still owes a tracked report, so the shard has nothing left to wait for. */
  everyoneSubmittedOrUntracked(): boolean {
    return this.data.units.every((u) => u.submittedAt !== null || u.status === 'not-tracked');
  }

  /**
   * The shard's own actions still to do for units that have not submitted, earliest first: reminders, the
   * overdue notice, and escalation steps that go to the unit's head. Steps addressed only above the unit
   * (the coordinator, escalation recipients) are the round workflow's digests; past ones are never planned.
   */
  pendingActions(): DueAction[] {
    const out: DueAction[] = [];
    for (const unit of this.data.units) {
      if (unit.submittedAt !== null || unit.status === 'not-tracked') continue;
      for (const action of this.plan(unit.dueAt)) {
        if (action.kind === 'escalation' && !action.roles.includes('head')) continue;
        if (unit.sent.includes(action.key) || action.at < this.data.trackFrom) continue;
        out.push({ ...action, roles: action.kind === 'escalation' ? ['head'] : [], unitId: unit.unitId });
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }

  /**
   * The instant of the earliest pending action (or the close), as pendingActions()[0] would give it. The
   * shard asks after every Update, so this walks the plans without building or sorting anything: a
   * replay of a shard's whole history after a burst stays cheap.
   */
  nextWakeUp(): number {
    let next = this.data.closeAt;
    for (const unit of this.data.units) {
      if (unit.submittedAt !== null || unit.status === 'not-tracked') continue;
      for (const action of this.plan(unit.dueAt)) {
        if (action.at >= next) break; // plans are sorted by instant
        if (action.kind === 'escalation' && !action.roles.includes('head')) continue;
        if (action.at < this.data.trackFrom || unit.sent.includes(action.key)) continue;
        next = action.at;
        break;
      }
    }
    return next;
  }

  /** The shard closes after the round's cut-off and never before every unit's last escalation. */
  latestCloseAt(): number {
    let latest = this.input.closeAt ? Date.parse(this.input.closeAt) : 0;
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

  /** A new version of the unit's report; the first one decides on time or late (domain/round/lateness). */
  recordSubmission(
    unitId: string,
    at: number,
    reference: string,
    by: string,
    amountVnd?: string,
  ): { version: number; onTime: boolean; lateByMs: number; dueAt: number } {
    const unit = this.byId.get(unitId)!;
    const version = unit.submissions.length + 1;
    unit.submissions.push({ version, at, reference, by, ...(amountVnd ? { amountVnd } : {}) });
    const late = isLate(at, unit.dueAt);
    if (unit.submittedAt === null) {
      unit.submittedAt = at;
      unit.status = late ? 'late' : 'submitted';
    }
    return { version, onTime: !late, lateByMs: lateByMs(at, unit.dueAt), dueAt: unit.dueAt };
  }

  extend(unitId: string, until: number, reason: string, by: string, at: number): void {
    const unit = this.byId.get(unitId)!;
    unit.extensions.push({ until, reason, by, at });
    unit.dueAt = until;
    if (unit.submittedAt === null) unit.status = 'extended';
    this.data.closeAt = Math.max(this.data.closeAt, this.latestCloseAt());
  }

  close(at: number): string[] {
    this.data.closedAt = at;
    const missing: string[] = [];
    for (const unit of this.data.units) {
      if (unit.submittedAt === null && unit.status !== 'not-tracked') {
        unit.status = 'missing';
        missing.push(unit.unitId);
      }
    }
    return missing;
  }

  counts(): StatusCounts {
    const counts = emptyCounts();
    for (const u of this.data.units) counts[u.status] += 1;
    return counts;
  }

  unitStatus(u: UnitState): UnitRoundStatus {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      unitId: u.unitId,
      dueAt: iso(u.dueAt),
      status: u.status,
      submittedAt: u.submittedAt === null ? null : iso(u.submittedAt),
      // Extensions are refused once a unit has submitted, so the deadline in force has not moved since.
      lateByMs: u.submittedAt === null ? null : lateByMs(u.submittedAt, u.dueAt),
      submissions: u.submissions.map((s) => ({ ...s, at: iso(s.at) })),
      extensions: u.extensions.map((e) => ({ ...e, until: iso(e.until), at: iso(e.at) })),
      sent: [...u.sent],
    };
  }

  status(phase: ShardStatus['phase']): ShardStatus {
    return {
      roundId: this.input.roundId,
      shard: this.input.shard,
      phase,
      closeAt: new Date(this.data.closeAt).toISOString(),
      closedAt: this.data.closedAt === null ? null : new Date(this.data.closedAt).toISOString(),
      counts: this.counts(),
      units: this.data.units.map((u) => this.unitStatus(u)),
    };
  }
}
