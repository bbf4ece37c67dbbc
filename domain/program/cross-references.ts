import type { z } from 'zod';
import { closestField } from './field-names';
import type { ProgramShape } from './schema';

/**
 * Checks that need the whole file: ids are unique and every reference names something that exists.
 * They run even when other fields failed to parse (so every problem is listed in one pass), which is
 * why this code reads the value defensively instead of trusting its static type.
 */

type Path = (string | number)[];

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

export function checkCrossReferences(program: ProgramShape, ctx: z.RefinementCtx<ProgramShape>): void {
  const p: unknown = program;
  const problem = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });

  const unitIds = new Map<string, number>();
  list(field(p, 'units')).forEach((u, i) => {
    const id = str(field(u, 'id'));
    if (id === undefined) return;
    const first = unitIds.get(id);
    if (first !== undefined) problem(['units', i, 'id'], `duplicate unit id "${id}" (also units[${first}]); give each unit its own id`);
    else unitIds.set(id, i);
  });

  const groupIds = new Map<string, number>();
  list(field(p, 'groups')).forEach((g, i) => {
    const id = str(field(g, 'id'));
    if (id !== undefined) {
      if (unitIds.has(id))
        problem(['groups', i, 'id'], `group id "${id}" is also a unit id (units[${unitIds.get(id)}]); rename one of them`);
      else if (groupIds.has(id))
        problem(['groups', i, 'id'], `duplicate group id "${id}" (also groups[${groupIds.get(id)}]); give each group its own id`);
      else groupIds.set(id, i);
    }
    list(field(g, 'units')).forEach((ref, j) => {
      const id = str(ref);
      if (id !== undefined && !unitIds.has(id)) {
        const near = closestField(id, [...unitIds.keys()]);
        problem(['groups', i, 'units', j], `unknown unit "${id}"; ${near ? `did you mean "${near}"?` : 'use the id of one of the units'}`);
      }
    });
  });

  // Without a list of units every reference would be "unknown": the units' own problem says it all.
  const units = field(p, 'units');
  const haveUnits = Array.isArray(units) && units.length > 0;
  const guess = (id: string, ids: Iterable<string>) => {
    const near = closestField(id, [...ids]);
    return near ? `did you mean "${near}"?` : undefined;
  };
  const unitRef = (path: Path, value: unknown) => {
    const id = str(value);
    if (haveUnits && id !== undefined && !unitIds.has(id))
      problem(path, `unknown unit "${id}"; ${guess(id, unitIds.keys()) ?? 'use the id of one of the units'}`);
  };
  const unitOrGroupRef = (path: Path, value: unknown) => {
    const id = str(value);
    if (haveUnits && id !== undefined && !unitIds.has(id) && !groupIds.has(id))
      problem(path, `unknown unit "${id}" (no unit or group has this id); ${guess(id, [...unitIds.keys(), ...groupIds.keys()]) ?? 'use a unit id or a group id'}`);
  };

  for (const key of ['coordinator', 'appraiser', 'approvingAuthority'] as const) unitRef([key], field(p, key));
  list(field(p, 'escalationRecipients')).forEach((r, i) => unitRef(['escalationRecipients', i], r));

  const addressees = new Map<string, number>();
  list(field(p, 'recipientsAbove')).forEach((a, i) => {
    const id = str(field(a, 'id'));
    if (id === undefined) return;
    if (addressees.has(id))
      problem(['recipientsAbove', i, 'id'], `duplicate addressee id "${id}" (also recipientsAbove[${addressees.get(id)}])`);
    else addressees.set(id, i);
  });

  const taskNumbers = new Map<number, number>();
  list(field(p, 'tasks')).forEach((t, i) => {
    const n = int(field(t, 'number'));
    if (n !== undefined) {
      if (taskNumbers.has(n))
        problem(['tasks', i, 'number'], `duplicate task number ${n} (also tasks[${taskNumbers.get(n)}]); number tasks as the decision does`);
      else taskNumbers.set(n, i);
    }
    unitOrGroupRef(['tasks', i, 'lead'], field(t, 'lead'));
    list(field(t, 'coordinating')).forEach((c, j) => unitOrGroupRef(['tasks', i, 'coordinating', j], c));
  });

  const period = field(p, 'period');
  const first = int(field(period, 'firstYear'));
  const last = int(field(period, 'lastYear'));
  if (first === undefined || last === undefined) return;
  if (first > last) {
    problem(['period', 'lastYear'], `lastYear ${last} is before firstYear ${first}; swap them`);
    return;
  }
  const inPeriod = (path: Path, value: unknown) => {
    const y = int(value);
    if (y !== undefined && (y < first || y > last))
      problem(path, `${y} is outside the program period ${first}–${last}; choose a year within it or widen the period`);
  };
  const reviews = field(p, 'reviews');
  list(field(reviews, 'preliminaryYears')).forEach((y, i) => inPeriod(['reviews', 'preliminaryYears', i], y));
  inPeriod(['reviews', 'finalYear'], field(reviews, 'finalYear'));
}
