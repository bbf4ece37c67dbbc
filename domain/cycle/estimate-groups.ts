import type { Program } from '../program/schema';

/**
 * Budget estimates are held by workflows of at most this many units each, so that every history stays
 * small however many units a program has: a unit costs its group about 30 events (submission, decision,
 * notices, a revision round), and the cycle a fixed few per group.
 */
export const ESTIMATE_GROUP_SIZE = 200;

/** The program's reporting units in program order, cut into groups; group n (1-based) is index n-1. */
export function estimateGroupsOf(program: Program, size = ESTIMATE_GROUP_SIZE): string[][] {
  const ids = program.units.filter((u) => u.reports).map((u) => u.id);
  const groups: string[][] = [];
  for (let i = 0; i < ids.length; i += size) groups.push(ids.slice(i, i + size));
  return groups;
}

/** The group (1-based) holding a unit's estimate, or null when the unit owes none. */
export function estimateGroupOf(program: Program, unitId: string, size = ESTIMATE_GROUP_SIZE): number | null {
  const index = program.units.filter((u) => u.reports).findIndex((u) => u.id === unitId);
  return index < 0 ? null : Math.floor(index / size) + 1;
}

/**
 * The program as an estimate group needs it: every unit that owes nothing (coordinator, appraiser,
 * authority, escalation recipients) and the group's own units, so that a group's input stays small
 * when the program has thousands of units.
 */
export function programForGroup(program: Program, unitIds: string[]): Program {
  const members = new Set(unitIds);
  return { ...program, units: program.units.filter((u) => !u.reports || members.has(u.id)) };
}
