import { z } from 'zod';
import { MAX_ID_CHARS, tooLong } from './limits';
import { reportingUnits } from '../program/resolve';
import type { Program } from '../program/schema';
import { unitIndexOf } from '../program/unit-index';

/** Explicit unit lists travel in workflow inputs, so they are capped; larger audiences are named by rule. */
export const MAX_LISTED_UNITS = 1_000;

/**
 * Who owes a round's submission, named by a rule rather than listed, so that a round's input stays the
 * same size for 27 units or 10,000: the units behind one of the program's roles, every reporting unit,
 * the reporting units of one category, or (ad hoc rounds) an explicit list of at most MAX_LISTED_UNITS.
 * Activities resolve it against the program version the round was opened with.
 */
const everyUnit = z.object({ all: z.literal(true) });
const oneCategory = z.object({ category: z.string().min(1, 'name a category') });
const listedUnits = z.object({
  unitIds: z
    .array(z.string().min(1).max(MAX_ID_CHARS, tooLong('a unit id', MAX_ID_CHARS)))
    .min(1, 'name at least one unit')
    .max(MAX_LISTED_UNITS, `list at most ${MAX_LISTED_UNITS} units; name a category (or all units) for more`),
});

/** The units a coordinator can ask for in an ad hoc round. */
export const UnitSelection = z.union([everyUnit, oneCategory, listedUnits]);
export type UnitSelection = z.infer<typeof UnitSelection>;

export const Audience = z.union([z.object({ responsible: z.enum(['reporting-units', 'appraiser', 'approving-authority', 'coordinator']) }), everyUnit, oneCategory, listedUnits]);
export type Audience = z.infer<typeof Audience>;

/** The unit ids an audience stands for, in program order, or the reason it names none that exist. */
export function resolveAudience(program: Program, audience: Audience): { unitIds: string[] } | { problem: string } {
  if ('responsible' in audience) {
    switch (audience.responsible) {
      case 'reporting-units':
        return { unitIds: reportingUnits(program).map((u) => u.id) };
      case 'appraiser':
        return { unitIds: [program.appraiser] };
      case 'approving-authority':
        return { unitIds: [program.approvingAuthority] };
      case 'coordinator':
        return { unitIds: [program.coordinator] };
    }
  }
  if ('all' in audience) return { unitIds: reportingUnits(program).map((u) => u.id) };
  if ('category' in audience) {
    const ids = program.units.filter((u) => u.category === audience.category).map((u) => u.id);
    if (!ids.length) {
      const categories = [...new Set(program.units.map((u) => u.category))].join(', ');
      return { problem: `no unit has category "${audience.category}"; categories are ${categories}` };
    }
    return { unitIds: ids };
  }
  const known = unitIndexOf(program).position;
  const unknown = audience.unitIds.filter((id) => !known.has(id));
  if (unknown.length) {
    const shown = unknown.slice(0, 10).map((u) => `"${u}"`).join(', ');
    return { problem: `unknown unit${unknown.length > 1 ? 's' : ''} ${shown}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''} in program ${program.id}` };
  }
  return { unitIds: [...new Set(audience.unitIds)].sort((a, b) => known.get(a)! - known.get(b)!) };
}
