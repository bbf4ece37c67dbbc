import { z } from 'zod';
import type { Program } from './schema';

/**
 * Which definition of a program a workflow works with: its id and the sha256 (hex) of the stored
 * definition (table ProgramVersion). Workflows carry this reference, never the definition: a program of
 * 10,000 units is about 3 MB of JSON, over Temporal's 2 MB payload limit, and every workflow input,
 * result and activity payload must stay far below the 512 KB warning whatever the number of units.
 */
export const ProgramRef = z.object({
  programId: z.string().min(1),
  version: z.string().regex(/^[0-9a-f]{64}$/, 'version must be the sha256 (64 hex digits) of a stored program definition'),
});
export type ProgramRef = z.infer<typeof ProgramRef>;

/** The parts of a program that schedules and notice rules are computed from (none lists units). */
export type ScheduleView = Pick<Program, 'id' | 'timeZone' | 'calendar' | 'period' | 'reviews' | 'rounds' | 'reminders' | 'escalation'>;

/**
 * What workflows know of a program: everything whose size does not grow with the number of units (its
 * calendar, rules, roles), plus counts. Units, groups, focal tasks, forms and contacts stay in the
 * database and are read by activities.
 */
export interface ProgramOutline extends ScheduleView {
  version: string;
  title: Program['title'];
  coordinator: string;
  appraiser: string;
  approvingAuthority: string;
  unitCount: number;
  /** Units that owe plans, estimates and reports ("reports: true"). */
  reportingUnitCount: number;
  /** Unit categories in use, for validating an ad hoc round's audience without the unit list. */
  categories: string[];
}

export function outlineOf(program: Program, version: string): ProgramOutline {
  return {
    version,
    id: program.id,
    title: program.title,
    timeZone: program.timeZone,
    calendar: program.calendar,
    period: program.period,
    reviews: program.reviews,
    rounds: program.rounds,
    reminders: program.reminders,
    escalation: program.escalation,
    coordinator: program.coordinator,
    appraiser: program.appraiser,
    approvingAuthority: program.approvingAuthority,
    unitCount: program.units.length,
    reportingUnitCount: program.units.filter((u) => u.reports).length,
    categories: [...new Set(program.units.map((u) => u.category))].sort(),
  };
}
