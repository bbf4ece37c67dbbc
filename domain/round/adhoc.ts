import { z } from 'zod';
import type { Program } from '../program/schema';
import { roundInput } from './from-schedule';
import type { RoundInput } from './schema';

/** A coordinator's request for an ad hoc ("đột xuất") round: who, about what, by when. */
export const StartAdhocRound = z.object({
  title: z.string().min(3, 'a title of at least 3 characters is required'),
  subject: z.string().optional(),
  units: z.union([
    z.object({ all: z.literal(true) }),
    z.object({ category: z.string().min(1) }),
    z.object({ unitIds: z.array(z.string().min(1)).min(1, 'name at least one unit') }),
  ]),
  deadline: z.iso.datetime({ offset: true }),
  reminderOffsets: z.array(z.number().int().min(1).max(60)).optional(),
  startedBy: z.string().min(1, 'startedBy is required'),
});
export type StartAdhocRound = z.infer<typeof StartAdhocRound>;

/** The units an ad hoc request names, or the reason it names none that exist. */
export function resolveAdhocUnits(program: Program, units: StartAdhocRound['units']): { unitIds: string[] } | { problem: string } {
  if ('all' in units) return { unitIds: program.units.filter((u) => u.reports).map((u) => u.id) };
  if ('category' in units) {
    const ids = program.units.filter((u) => u.category === units.category).map((u) => u.id);
    if (!ids.length) {
      const categories = [...new Set(program.units.map((u) => u.category))].join(', ');
      return { problem: `no unit has category "${units.category}"; categories are ${categories}` };
    }
    return { unitIds: ids };
  }
  const known = new Set(program.units.map((u) => u.id));
  const unknown = units.unitIds.filter((id) => !known.has(id));
  if (unknown.length) return { problem: `unknown unit${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} in program ${program.id}` };
  return { unitIds: [...new Set(units.unitIds)] };
}

export function adhocRoundInput(program: Program, year: number, roundKey: string, request: StartAdhocRound, unitIds: string[]): RoundInput {
  return roundInput(program, {
    roundId: `${program.id}:${roundKey}`,
    kind: 'adhoc',
    year,
    title: { vi: request.title, en: request.title },
    ...(request.subject ? { subject: request.subject } : {}),
    deadline: request.deadline,
    unitIds,
    ...(request.reminderOffsets ? { reminderOffsets: request.reminderOffsets } : {}),
  });
}
