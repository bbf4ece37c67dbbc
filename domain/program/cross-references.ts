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

  checkForms(p, problem, { unitIds, taskNumbers });
  checkCompilation(p, problem, { unitIds, addressees });

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

type Problem = (path: Path, message: string) => void;

/** Reporting units per category, and which ids are units that owe no reports. */
function unitFacts(p: unknown) {
  const reportingByCategory = new Map<string, number>();
  const nonReporting = new Set<string>();
  for (const u of list(field(p, 'units'))) {
    const id = str(field(u, 'id'));
    const category = str(field(u, 'category'));
    if (field(u, 'reports') === false) {
      if (id !== undefined) nonReporting.add(id);
    } else if (category !== undefined) reportingByCategory.set(category, (reportingByCategory.get(category) ?? 0) + 1);
  }
  return { reportingByCategory, nonReporting };
}

/**
 * Forms (./forms.ts): ids unique within a form (indicator ids across all its tables, since a filled form
 * keys values by indicator id), task numbers that exist, and `filledBy` naming units that report and
 * categories that some reporting unit has.
 */
function checkForms(p: unknown, problem: Problem, known: { unitIds: Map<string, number>; taskNumbers: Map<number, number> }): void {
  const forms = field(p, 'forms');
  if (typeof forms !== 'object' || forms === null || Array.isArray(forms)) return;
  const facts = unitFacts(p);

  const taskRefs = (path: Path, value: unknown) =>
    list(value).forEach((t, i) => {
      const n = int(t);
      if (n !== undefined && !known.taskNumbers.has(n))
        problem([...path, i], `unknown focal task ${n}; use the number of one of the program's tasks`);
    });

  const fillers = (path: Path, value: unknown) => {
    if (value === undefined) return;
    list(field(value, 'units')).forEach((ref, i) => {
      const id = str(ref);
      if (id === undefined) return;
      if (!known.unitIds.has(id)) problem([...path, 'units', i], `unknown unit "${id}"; use the id of one of the units`);
      else if (facts.nonReporting.has(id))
        problem([...path, 'units', i], `unit "${id}" owes no reports (reports: false); it never fills a form, so remove it`);
    });
    list(field(value, 'categories')).forEach((c, i) => {
      const category = str(c);
      if (category !== undefined && !facts.reportingByCategory.has(category))
        problem([...path, 'categories', i], `no reporting unit has category "${category}"; nobody would fill this, so remove it or add such a unit`);
    });
  };

  const unique = (seen: Map<string, string>, what: string, id: unknown, path: Path) => {
    const value = str(id);
    if (value === undefined) return;
    const first = seen.get(value);
    if (first !== undefined) problem(path, `duplicate ${what} id "${value}" (also ${first}); give each its own id`);
    else seen.set(value, formatPathLite(path.slice(0, -1)));
  };

  for (const [kind, form] of Object.entries(forms as Record<string, unknown>)) {
    const base: Path = ['forms', kind];
    const sectionIds = new Map<string, string>();
    list(field(form, 'sections')).forEach((s, i) => {
      const path: Path = [...base, 'sections', i];
      unique(sectionIds, 'section', field(s, 'id'), [...path, 'id']);
      taskRefs([...path, 'tasks'], field(s, 'tasks'));
      fillers([...path, 'filledBy'], field(s, 'filledBy'));
    });
    const tableIds = new Map<string, string>();
    const indicatorIds = new Map<string, string>();
    list(field(form, 'tables')).forEach((t, i) => {
      const path: Path = [...base, 'tables', i];
      unique(tableIds, 'table', field(t, 'id'), [...path, 'id']);
      list(field(t, 'indicators')).forEach((ind, j) => {
        const ipath: Path = [...path, 'indicators', j];
        unique(indicatorIds, 'indicator', field(ind, 'id'), [...ipath, 'id']);
        taskRefs([...ipath, 'tasks'], field(ind, 'tasks'));
        fillers([...ipath, 'filledBy'], field(ind, 'filledBy'));
      });
    });
  }
}

/** Compiled reports are sent to units or to addressees above the province. */
function checkCompilation(p: unknown, problem: Problem, known: { unitIds: Map<string, number>; addressees: Map<string, number> }): void {
  const settings = field(p, 'compilation');
  for (const key of ['sendTo', 'copyTo'] as const)
    list(field(settings, key)).forEach((ref, i) => {
      const id = str(ref);
      if (id !== undefined && !known.unitIds.has(id) && !known.addressees.has(id))
        problem(['compilation', key, i], `unknown recipient "${id}"; use a unit id or the id of one of recipientsAbove`);
    });
}

/** The path of the first holder of an id, as a person reads it: forms.quarterly-report.tables[0]. */
function formatPathLite(path: Path): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}
