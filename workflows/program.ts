import { defineQuery, setHandler, sleep, startChild } from '@temporalio/workflow';
import { DateTime } from 'luxon';
import { computeYearSchedule } from '../domain/calendar/schedule';
import type { Program } from '../domain/program/schema';
import type { CycleStatus } from '../domain/cycle/schema';
import { yearlyCycleWorkflow } from './cycle';
import { cycleWorkflowId } from './ids';

/**
 * The whole program: one yearly cycle per year of its period, each a child workflow. A year's planning
 * begins in the year before (plans are due in December), so cycles overlap: each starts when its
 * planning begins, while the previous year is still reporting, and the program ends when the last year,
 * with its final review, has ended. A program adopted part-way through starts at the current year (or
 * the year asked for) and tracks only deadlines still ahead.
 *
 * Why one run and not continue-as-new per year: overlapping years mean a cycle is always running when
 * a year turns, and a child outliving a continue-as-new must be abandoned, which the Java test server
 * mishandles (time stops skipping once an abandoned child completes). The history holds about ten
 * events per year (a timer and a child), so one run stays far below any limit for any real period.
 */
export interface ProgramInput {
  program: Program;
  /** Next year whose cycle to start; default: the current year, or the period's first year if later. */
  fromYear?: number;
  /** Deadlines before this instant are not tracked (default: when the program workflow starts). */
  trackFrom?: string;
}

export interface ProgramYearResult {
  year: number;
  rounds: number;
  closedRounds: number;
  notTracked: number;
  compilation: string | null;
}

export interface ProgramStatus {
  programId: string;
  period: { firstYear: number; lastYear: number };
  /** Years whose cycles have started, oldest first; their own workflows tell how far each has got. */
  started: number[];
  nextYear: number | null;
  /** The last year's outcome, once the program has ended. */
  final: ProgramYearResult | null;
  state: 'running' | 'done';
}

/** How long before its plan deadline a year's cycle starts, so units get the plan round's reminders. */
const PLANNING_LEAD_DAYS = 45;

export const programStatusQuery = defineQuery<ProgramStatus>('program.status');

export async function programWorkflow(input: ProgramInput): Promise<ProgramStatus> {
  const { program } = input;
  const { firstYear, lastYear } = program.period;
  const trackFrom = input.trackFrom ?? new Date().toISOString();
  const thisYear = DateTime.fromMillis(Date.now(), { zone: program.timeZone }).year;
  const year = input.fromYear ?? Math.max(firstYear, thisYear);
  const started: number[] = [];
  const status: ProgramStatus = {
    programId: program.id,
    period: { firstYear, lastYear },
    started,
    nextYear: year <= lastYear ? year : null,
    final: null,
    state: 'running',
  };
  setHandler(programStatusQuery, () => status);

  const results: Array<Promise<CycleStatus>> = [];
  for (let y = year; y <= lastYear; y++) {
    const startAt = planningStartOf(program, y);
    if (startAt > Date.now()) await sleep(startAt - Date.now());
    const handle = await startChild(yearlyCycleWorkflow, { workflowId: cycleWorkflowId(program.id, y), args: [{ program, year: y, trackFrom }] });
    started.push(y);
    status.nextYear = y < lastYear ? y + 1 : null;
    results.push(handle.result());
  }
  const outcomes = await Promise.all(results);
  const last = outcomes[outcomes.length - 1];
  if (last) {
    status.final = {
      year: last.year,
      rounds: last.rounds.length,
      closedRounds: last.rounds.filter((r) => r.state === 'closed').length,
      notTracked: last.rounds.filter((r) => r.state === 'not-tracked').length,
      compilation: last.compilation?.reference ?? null,
    };
  }
  status.state = 'done';
  return status;
}

/** When a year's cycle starts: ahead of its plan deadline, and no later than the year itself. */
function planningStartOf(program: Program, year: number): number {
  const schedule = computeYearSchedule(program, year);
  const plan = schedule.rounds.find((r) => r.kind === 'annual-plan');
  const yearStart = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: program.timeZone }).toMillis();
  return plan ? Math.min(plan.deadlineMs - PLANNING_LEAD_DAYS * 86_400_000, yearStart) : yearStart;
}
