import { daysBetween, localDateOf } from '../calendar/local-date';
import type { UnitCategory } from '../program/ids';
import type { Program } from '../program/schema';
import { percent } from './exact';
import type { ComplianceStatus, ObligationEntry, RoundData } from './input';
import { CATEGORY_ORDER } from './labels';
import type { Compliance, ComplianceCell, ComplianceCounts } from './model';

/**
 * The compliance table: who reported, on time, late, missing, per round and per unit, with totals by
 * unit, by year, by category and for the province. Rates are over what was asked (every obligation),
 * so a missing unit lowers both completion and timeliness.
 */

export function countsOf(statuses: readonly ComplianceStatus[]): ComplianceCounts {
  const asked = statuses.length;
  const onTime = statuses.filter((s) => s === 'on-time').length;
  const late = statuses.filter((s) => s === 'late').length;
  return {
    asked,
    onTime,
    late,
    missing: asked - onTime - late,
    completionPercent: percent(onTime + late, asked),
    timelinessPercent: percent(onTime, asked),
  };
}

/**
 * Calendar days late in `zone`: the deadline instant is 00:00 of the first late day ("before the 25th"
 * is 00:00 on the 25th), so a report sent any time on the 25th is 1 day late, on the 26th 2 days.
 */
export function lateDaysOf(o: Pick<ObligationEntry, 'dueAt' | 'submittedAt' | 'status'>, zone: string): number {
  if (o.status !== 'late' || o.submittedAt === null) return 0;
  const lastOnTimeDay = localDateOf(Date.parse(o.dueAt) - 1, zone);
  return Math.max(1, daysBetween(lastOnTimeDay, localDateOf(Date.parse(o.submittedAt), zone)));
}

export interface UnitFacts {
  name: { vi: string; en: string };
  category: UnitCategory;
}

/** Names and categories of the units in the rounds; a unit the program no longer lists keeps its id as its name. */
export function unitFacts(program: Program, unitIds: Iterable<string>, warnings: string[]): Map<string, UnitFacts> {
  const facts = new Map<string, UnitFacts>();
  const byId = new Map(program.units.map((u) => [u.id, u]));
  for (const id of unitIds) {
    if (facts.has(id)) continue;
    const unit = byId.get(id);
    if (unit) facts.set(id, { name: unit.name, category: unit.category });
    else {
      facts.set(id, { name: { vi: id, en: id }, category: 'other' });
      warnings.push(`unit "${id}" is in a round but not in the program any more; it is listed under its id`);
    }
  }
  return facts;
}

/** Units in program order, then any the program no longer lists (by id). */
export function unitOrder(program: Program, unitIds: Iterable<string>): string[] {
  const wanted = new Set(unitIds);
  const ordered = program.units.map((u) => u.id).filter((id) => wanted.has(id));
  const rest = [...wanted].filter((id) => !ordered.includes(id)).sort();
  return [...ordered, ...rest];
}

export function buildCompliance(program: Program, rounds: readonly RoundData[], facts: Map<string, UnitFacts>, order: readonly string[]): Compliance {
  const zone = program.timeZone;
  const sortedRounds = [...rounds].sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline) || a.key.localeCompare(b.key));
  const years = [...new Set(sortedRounds.map((r) => r.year))].sort((a, b) => a - b);
  const byRound = sortedRounds.map((r) => new Map(r.obligations.map((o) => [o.unitId, o])));

  const units = order.map((unitId) => {
    const f = facts.get(unitId)!;
    const cells: Array<ComplianceCell | null> = sortedRounds.map((r, i) => {
      const o = byRound[i]!.get(unitId);
      return o ? { roundId: r.roundId, status: o.status, dueAt: o.dueAt, submittedAt: o.submittedAt, lateDays: lateDaysOf(o, zone) } : null;
    });
    const statusesIn = (year?: number) =>
      cells.flatMap((c, i) => (c !== null && (year === undefined || sortedRounds[i]!.year === year) ? [c.status] : []));
    return {
      unitId,
      name: f.name,
      category: f.category,
      cells,
      counts: countsOf(statusesIn()),
      byYear: years.filter((y) => statusesIn(y).length > 0).map((year) => ({ year, counts: countsOf(statusesIn(year)) })),
    };
  });

  const all = (filter: (category: UnitCategory) => boolean) =>
    units.filter((u) => filter(u.category)).flatMap((u) => u.cells.flatMap((c) => (c ? [c.status] : [])));
  return {
    rounds: sortedRounds.map((r) => ({ roundId: r.roundId, key: r.key, year: r.year, title: r.title, deadline: r.deadline })),
    units,
    byCategory: CATEGORY_ORDER.filter((c) => units.some((u) => u.category === c)).map((category) => ({
      category,
      counts: countsOf(all((c) => c === category)),
    })),
    totals: countsOf(all(() => true)),
  };
}
