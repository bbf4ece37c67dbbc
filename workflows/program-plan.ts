import { DateTime } from 'luxon';
import { computeYearSchedule } from '../domain/calendar/schedule';
import type { YearOutcome } from '../domain/cycle/outcome';
import type { ProgramRef, ScheduleView } from '../domain/program/outline';

export interface ProgramInput {
  /** The program's stored definition; the workflow reads its outline through an activity. */
  programRef: ProgramRef;
  /** Next year whose cycle to start; default: the current year, or the period's first year if later. */
  fromYear?: number;
  /** Deadlines before this instant are not tracked (default: when the program workflow starts). */
  trackFrom?: string;
  /** What earlier runs knew; set only by the program itself when it continues as new. */
  carried?: ProgramCarry;
}

export interface ProgramCarry {
  started: number[];
  ended: YearOutcome[];
  /** How many runs came before this one. */
  runs: number;
  /**
   * The program's period as the earlier runs read it, so a new run's status shows it before its own read
   * of the outline completes (absent in runs recorded before 0.2.2).
   */
  period?: { firstYear: number; lastYear: number };
}

/** How long before its plan deadline a year's cycle starts, so units get the plan round's reminders. */
const PLANNING_LEAD_DAYS = 45;

/** When a year's cycle starts: ahead of its plan deadline, and no later than the year itself. */
export function planningStartOf(program: ScheduleView, year: number): number {
  const schedule = computeYearSchedule(program, year);
  const plan = schedule.rounds.find((r) => r.kind === 'annual-plan');
  const yearStart = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: program.timeZone }).toMillis();
  return plan ? Math.min(plan.deadlineMs - PLANNING_LEAD_DAYS * 86_400_000, yearStart) : yearStart;
}

/** The year a program starting at `nowMs` begins with: the current year, or the period's first if later. */
export function firstYearToStart(program: Pick<ScheduleView, 'timeZone' | 'period'>, nowMs: number): number {
  const thisYear = DateTime.fromMillis(nowMs, { zone: program.timeZone }).year;
  return Math.max(program.period.firstYear, thisYear);
}
