import { setHandler, sleep, startChild } from '@temporalio/workflow';
import { yearOutcomeOf } from '../domain/cycle/outcome';
import type { CycleStatus } from '../domain/cycle/schema';
import { yearlyCycleWorkflow } from './cycle';
import { cycleWorkflowId } from './ids';
import { firstYearToStart, planningStartOf, type ProgramInput } from './program-plan';
import { programStatusQuery, type ProgramStatus } from './program-messages';

/**
 * The program as it ran before it continued as new between years: one run that started every cycle as
 * a child and awaited them all. Kept only so that histories recorded by that code (and programs still
 * running it) replay; programWorkflow takes this path when its history has no "program-continues-as-new"
 * marker. New programs never come here.
 */
export async function programOneRun(input: ProgramInput): Promise<ProgramStatus> {
  const { program } = input;
  const { firstYear, lastYear } = program.period;
  const trackFrom = input.trackFrom ?? new Date().toISOString();
  const year = input.fromYear ?? firstYearToStart(program, Date.now());
  const started: number[] = [];
  const status: ProgramStatus = {
    programId: program.id,
    period: { firstYear, lastYear },
    started,
    nextYear: year <= lastYear ? year : null,
    ended: [],
    final: null,
    state: 'running',
    run: 1,
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
  status.ended = outcomes.map(yearOutcomeOf);
  const last = outcomes[outcomes.length - 1];
  if (last) {
    status.final = yearOutcomeOf(last);
  }
  status.state = 'done';
  return status;
}

