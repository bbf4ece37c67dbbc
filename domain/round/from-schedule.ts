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

export function roundInput(
  program: ProgramOutline,
  r: RoundInputOptions & { kind: RoundKind; year: number; title: { vi: string; en: string }; deadline: string; subject?: string; audience: Audience },
): RoundInput {
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
    }))(noticeRulesOf(program, r.reminderOffsets)),
  };
}
