import { perDefinition } from './per-definition';
import type { Unit } from './schema';

/**
 * Lookups over a program's units: by id, and each unit's position in program order. A 10,000-unit
 * program would otherwise be scanned, or two 10,000-entry maps rebuilt (about 3.5 ms of the worker's one
 * event loop), for every notice queued during a burst of receipts.
 */
export interface UnitIndex {
  byId: ReadonlyMap<string, Unit>;
  /** 0-based position in `program.units`. */
  position: ReadonlyMap<string, number>;
  /** The ids of the units that report (`reports: true`), in program order. */
  reportingIds: readonly string[];
}

/** The program's unit index, built on first use and kept as long as the definition object lives. */
export const unitIndexOf = perDefinition(
  (program): UnitIndex => ({
    byId: new Map(program.units.map((u) => [u.id, u])),
    position: new Map(program.units.map((u, i) => [u.id, i])),
    reportingIds: program.units.filter((u) => u.reports).map((u) => u.id),
  }),
);
