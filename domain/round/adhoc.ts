import { z } from 'zod';
import type { ProgramOutline } from '../program/outline';
import { UnitSelection, type Audience } from './audience';
import { roundInput } from './from-schedule';
import type { RoundInput } from './schema';
import { MAX_ACTOR_CHARS, MAX_TITLE_CHARS, tooLong } from './limits';

/** A coordinator's request for an ad hoc ("đột xuất") round: who, about what, by when. */
export const StartAdhocRound = z.object({
  title: z.string().min(3, 'a title of at least 3 characters is required').max(MAX_TITLE_CHARS, tooLong('title', MAX_TITLE_CHARS)),
  subject: z.string().max(MAX_TITLE_CHARS, tooLong('subject', MAX_TITLE_CHARS)).optional(),
  /** Every reporting unit, one category's units, or a list of units (at most MAX_LISTED_UNITS). */
  units: UnitSelection,
  deadline: z.iso.datetime({ offset: true }),
  reminderOffsets: z.array(z.number().int().min(1).max(60)).optional(),
  startedBy: z.string().min(1, 'startedBy is required').max(MAX_ACTOR_CHARS, tooLong('startedBy', MAX_ACTOR_CHARS)),
});
export type StartAdhocRound = z.infer<typeof StartAdhocRound>;

/** Why an audience cannot be checked without the unit list, or null: a category the program does not use. */
export function audienceProblemInOutline(program: ProgramOutline, units: Audience): string | null {
  if ('category' in units && !program.categories.includes(units.category)) {
    return `no unit has category "${units.category}"; categories are ${program.categories.join(', ')}`;
  }
  return null;
}

export function adhocRoundInput(program: ProgramOutline, year: number, roundKey: string, request: StartAdhocRound): RoundInput {
  return roundInput(program, {
    roundId: `${program.id}:${roundKey}`,
    kind: 'adhoc',
    year,
    title: { vi: request.title, en: request.title },
    ...(request.subject ? { subject: request.subject } : {}),
    deadline: request.deadline,
    audience: request.units,
    ...(request.reminderOffsets ? { reminderOffsets: request.reminderOffsets } : {}),
  });
}
