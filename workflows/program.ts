import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { yearlyCycleWorkflow, reportEndToSignal } from './cycle';
import { cycleWorkflowId } from './ids';
import { cycleEndedSignal, programStatusQuery, type ProgramStatus } from './program-messages';
import { programOneRun } from './program-one-run';
import { firstYearToStart, planningStartOf, type ProgramInput } from './program-plan';

export type { ProgramInput } from './program-plan';
export { programStatusQuery, type ProgramStatus, type ProgramYearResult } from './program-messages';

/** Marks histories of the program that continues as new between years (see programOneRun for the rest). */
const CONTINUES_AS_NEW = 'program-continues-as-new';

/**
 * The whole program: one yearly cycle per year of its period, each a child workflow, then done.
 *
 * Each run waits for a year's planning to begin (its plan is due in December of the year before), starts
 * that year's cycle and continues as new with the next year, so a run's history holds a timer, a child
 * and little else whatever the period's length. Years overlap (a year's planning begins while the one
 * before is still reporting), so a cycle outlives the run that started it: cycles are abandoned, not
 * awaited, and each tells the program's current run when it has ended. After the last year's cycle has
 * started, the last run waits until every cycle has ended and completes with the last year's outcome.
 * A program adopted part-way through starts at the current year (or the one asked for) and tracks only
 * deadlines still ahead.
 */
export async function programWorkflow(input: ProgramInput): Promise<ProgramStatus> {
  if (!patched(CONTINUES_AS_NEW)) return programOneRun(input);

  const { program } = input;
  const { firstYear, lastYear } = program.period;
  // Fixed by the first run and carried, so that every cycle tracks from the instant the program began.
  const trackFrom = input.trackFrom ?? new Date().toISOString();
  const year = input.fromYear ?? firstYearToStart(program, Date.now());
  const carried = input.carried ?? { started: [], ended: [], runs: 0 };
  const status: ProgramStatus = {
    programId: program.id,
    period: { firstYear, lastYear },
    started: [...carried.started],
    ended: [...carried.ended],
    nextYear: year <= lastYear ? year : null,
    final: null,
    state: 'running',
    run: carried.runs + 1,
  };
  setHandler(programStatusQuery, () => status);
  setHandler(cycleEndedSignal, (outcome) => {
    if (!status.ended.some((e) => e.year === outcome.year)) status.ended.push(outcome);
  });

  if (year <= lastYear) {
    const startAt = planningStartOf(program, year);
    if (startAt > Date.now()) await sleep(startAt - Date.now());
    await startCycle(year);
    status.started.push(year);
    status.nextYear = year < lastYear ? year + 1 : null;
    // A signal handled in this run is carried; one that arrives while the run closes is delivered to the next.
    await condition(allHandlersFinished);
    return continueAsNew<typeof programWorkflow>({
      program,
      fromYear: year + 1,
      trackFrom,
      carried: { started: status.started, ended: status.ended, runs: status.run },
    });
  }

  await condition(() => status.started.every((y) => status.ended.some((e) => e.year === y)));
  const lastStarted = Math.max(...status.started);
  status.final = status.ended.find((e) => e.year === lastStarted) ?? null;
  status.nextYear = null;
  status.state = 'done';
  return status;

  async function startCycle(y: number): Promise<void> {
    const workflowId = cycleWorkflowId(program.id, y);
    const self = workflowInfo().workflowId;
    try {
      await startChild(yearlyCycleWorkflow, {
        workflowId,
        // The cycle outlives this run (the program continues as new): abandoning it keeps it running.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ program, year: y, trackFrom, reportTo: self }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Started by hand before the program reached it (e.g. the main job's live cycle): adopt it, and
      // ask it to report its end here like the cycles the program starts.
      log.warn('cycle already running; the program adopts it', { workflowId, year: y });
      await getExternalWorkflowHandle(workflowId).signal(reportEndToSignal, self);
    }
  }
}
