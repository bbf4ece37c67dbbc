import { continueAsNew, defineQuery, executeChild, setHandler } from '@temporalio/workflow';
import { DateTime } from 'luxon';
import type { Program } from '../domain/program/schema';
import type { CycleStatus } from '../domain/cycle/schema';
import { yearlyCycleWorkflow } from './cycle';
import { cycleWorkflowId } from './ids';

/**
 * The whole program: one yearly cycle per year of its period, each a child workflow, continuing as new
 * between years so the history holds one year at a time. Reviews (preliminary, final) are rounds of the
 * years the program names them for. A program adopted part-way through starts at the current year (or
 * the year asked for) and tracks only deadlines still ahead.
 */
export interface ProgramInput {
  program: Program;
  /** First year to run; default: the current year, or the period's first year if it lies ahead. */
  fromYear?: number;
  /** Deadlines before this instant are not tracked (default: when the program workflow starts). */
  trackFrom?: string;
  /** Results of the years already run, carried across continue-as-new. */
  completed?: ProgramYearResult[];
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
  currentYear: number | null;
  completed: ProgramYearResult[];
  state: 'running' | 'done';
}

export const programStatusQuery = defineQuery<ProgramStatus>('program.status');

export async function programWorkflow(input: ProgramInput): Promise<ProgramStatus> {
  const { program } = input;
  const { firstYear, lastYear } = program.period;
  const trackFrom = input.trackFrom ?? new Date().toISOString();
  const thisYear = DateTime.fromMillis(Date.now(), { zone: program.timeZone }).year;
  const year = input.fromYear ?? Math.max(firstYear, thisYear);
  const completed = input.completed ?? [];
  const status: ProgramStatus = { programId: program.id, period: { firstYear, lastYear }, currentYear: year, completed, state: 'running' };
  setHandler(programStatusQuery, () => status);

  if (year > lastYear) {
    status.currentYear = null;
    status.state = 'done';
    return status;
  }

  const result: CycleStatus = await executeChild(yearlyCycleWorkflow, {
    workflowId: cycleWorkflowId(program.id, year),
    args: [{ program, year, trackFrom }],
  });
  completed.push({
    year,
    rounds: result.rounds.length,
    closedRounds: result.rounds.filter((r) => r.state === 'closed').length,
    notTracked: result.rounds.filter((r) => r.state === 'not-tracked').length,
    compilation: result.compilation?.reference ?? null,
  });

  if (year < lastYear) {
    await continueAsNew<typeof programWorkflow>({ program, fromYear: year + 1, trackFrom, completed });
  }
  status.currentYear = null;
  status.state = 'done';
  return status;
}
