import type { ScheduledRound, Responsible } from '../calendar/round-schedule';
import { noticeRulesOf } from '../calendar/notices';
import { reportingUnits } from '../program/resolve';
import type { Program } from '../program/schema';
import type { RoundInput, RoundKind } from './schema';

/** The units that owe a round's submission, from the schedule's "responsible" role. */
export function responsibleUnitIds(program: Program, responsible: Responsible): string[] {
  switch (responsible) {
    case 'reporting-units':
      return reportingUnits(program).map((u) => u.id);
    case 'appraiser':
      return [program.appraiser];
    case 'approving-authority':
      return [program.approvingAuthority];
    case 'coordinator':
      return [program.coordinator];
  }
}

export interface RoundInputOptions {
  roundId: string;
  unitIds: string[];
  trackFrom?: string;
  reminderOffsets?: number[];
}

/** A round workflow's input for a scheduled round of the program's calendar. */
export function roundInputFromSchedule(program: Program, round: ScheduledRound, options: RoundInputOptions): RoundInput {
  return roundInput(program, {
    ...options,
    kind: round.kind,
    year: round.cycleYear,
    title: round.title,
    deadline: round.deadline,
    reminderOffsets: options.reminderOffsets ?? round.reminders.map((r) => r.offsetWorkingDays),
  });
}

export function roundInput(
  program: Program,
  r: RoundInputOptions & { kind: RoundKind; year: number; title: { vi: string; en: string }; deadline: string; subject?: string },
): RoundInput {
  const inRound = new Set(r.unitIds);
  return {
    roundId: r.roundId,
    programId: program.id,
    year: r.year,
    kind: r.kind,
    title: r.title,
    ...(r.subject ? { subject: r.subject } : {}),
    coordinatorUnitId: program.coordinator,
    unitIds: r.unitIds,
    otherProgramUnitIds: program.units.map((u) => u.id).filter((id) => !inRound.has(id)),
    deadline: r.deadline,
    ...(r.trackFrom ? { trackFrom: r.trackFrom } : {}),
    rules: (({ reminderOffsets, escalationSteps, ...rest }) => ({
      ...rest,
      reminderOffsets: [...reminderOffsets],
      escalationSteps: escalationSteps.map((s) => ({ ...s, notify: [...s.notify] })),
    }))(noticeRulesOf(program, r.reminderOffsets)),
  };
}
