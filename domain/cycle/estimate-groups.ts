import type { Program } from '../program/schema';
import { unitIndexOf } from '../program/unit-index';

/**
 * Budget estimates are held by workflows of at most this many units each, so that every history stays
 * small however many units a program has: a unit costs its group about 30 events (submission, decision,
 * notices, a revision round), and the cycle a fixed few per group.
 */
export const ESTIMATE_GROUP_SIZE = 200;

/** The program's reporting units in program order, cut into groups; group n (1-based) is index n-1. */
export function estimateGroupsOf(program: Program, size = ESTIMATE_GROUP_SIZE): string[][] {
  const ids = unitIndexOf(program).reportingIds;
  const groups: string[][] = [];
  for (let i = 0; i < ids.length; i += size) groups.push(ids.slice(i, i + size));
  return groups;
}

/** The group (1-based) holding a unit's estimate, or null when the unit owes none. */
export function estimateGroupOf(program: Program, unitId: string, size = ESTIMATE_GROUP_SIZE): number | null {
  const index = unitIndexOf(program).reportingIds.indexOf(unitId);
  return index < 0 ? null : Math.floor(index / size) + 1;
}

/** How many estimate groups a year has, from the number of reporting units (ProgramOutline). */
export function estimateGroupCount(reportingUnits: number, size = ESTIMATE_GROUP_SIZE): number {
  return Math.ceil(reportingUnits / size);
}
