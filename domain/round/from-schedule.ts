import type { ScheduledRound, Responsible } from '../calendar/round-schedule';
import { noticeRulesOf } from '../calendar/notices';
import type { ProgramOutline } from '../program/outline';
import type { Audience } from './audience';
import type { RoundInput, RoundKind } from './schema';

export interface RoundInputOptions {
  roundId: string;
  trackFrom?: string;
  reminderOffsets?: number[];
  /** Units per shard (default: the round schema's). */
  shardSize?: number;
}

/** A round workflow's input for a scheduled round of the program's calendar. */
export function roundInputFromSchedule(program: ProgramOutline, round: ScheduledRound, options: RoundInputOptions): RoundInput {
  return roundInput(program, {
    ...options,
    audience: { responsible: round.responsible satisfies Responsible },
    kind: round.kind,
    year: round.cycleYear,
    title: round.title,
    deadline: round.deadline,
    reminderOffsets: options.reminderOffsets ?? round.reminders.map((r) => r.offsetWorkingDays),
  });
}

/**
 * The input of a round workflow. Its calendar carries the published holiday schedules of the deadline's
 * year and the years on either side only (reminders before a January deadline fall in December, an
 * escalation after a December one in January; an extension rarely moves a deadline further), so the input
 * does not grow with the number of schedules a program ships.
 */
export function roundInput(
  program: ProgramOutline,
  r: RoundInputOptions & { kind: RoundKind; year: number; title: { vi: string; en: string }; deadline: string; subject?: string; audience: Audience },
): RoundInput {
  const deadlineYear = Number(r.deadline.slice(0, 4));
  const calendar = { ...program.calendar, overrides: program.calendar.overrides.filter((o) => Math.abs(o.year - deadlineYear) <= 1) };
  return {
    roundId: r.roundId,
    programRef: { programId: program.id, version: program.version },
    year: r.year,
    kind: r.kind,
    title: r.title,
    ...(r.subject ? { subject: r.subject } : {}),
    coordinatorUnitId: program.coordinator,
    audience: r.audience,
    deadline: r.deadline,
    ...(r.trackFrom ? { trackFrom: r.trackFrom } : {}),
    ...(r.shardSize ? { shardSize: r.shardSize } : {}),
    rules: (({ reminderOffsets, escalationSteps, ...rest }) => ({
      ...rest,
      reminderOffsets: [...reminderOffsets],
      escalationSteps: escalationSteps.map((s) => ({ ...s, notify: [...s.notify] })),
    }))(noticeRulesOf({ ...program, calendar }, r.reminderOffsets)),
  };
}
