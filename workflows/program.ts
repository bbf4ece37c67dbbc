import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ProgramActivities } from '../activities/program';
import { yearlyCycleWorkflow, reportEndToSignal } from './cycle';
import { cycleWorkflowId } from './ids';
import { cycleEndedSignal, programStatusQuery, type ProgramStatus } from './program-messages';
import { firstYearToStart, planningStartOf, type ProgramInput } from './program-plan';
import { NON_RETRYABLE } from './retry';

export type { ProgramInput } from './program-plan';
export { programStatusQuery, type ProgramStatus, type ProgramYearResult } from './program-messages';

const acts = proxyActivities<Pick<ProgramActivities, 'programOutline'>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * The whole program: one yearly cycle per year of its period, each a child workflow, then done.
 *
 * Each run reads the program's outline (its input is only a reference to the stored definition), waits
 * for a year's planning to begin (its plan is due in December of the year before), starts that year's
 * cycle and continues as new with the next year, so a run's history holds an activity, a timer, a child
 * and little else whatever the period's length or the number of units. Years overlap (a year's planning
 * begins while the one before is still reporting), so a cycle outlives the run that started it: cycles
 * are abandoned, not awaited, and each tells the program's current run when it has ended. After the last
 * year's cycle has started, the last run waits until every cycle has ended and completes with the last
 * year's outcome. A program adopted part-way through starts at the current year (or the one asked for)
 * and tracks only deadlines still ahead.
 */
export async function programWorkflow(input: ProgramInput): Promise<ProgramStatus> {
  const carried = input.carried ?? { started: [], ended: [], runs: 0 };
  const status: ProgramStatus = {
    programId: input.programRef.programId,
    // 0–0 until the first run has read the outline (the status then says "period not read yet").
    period: carried.period ?? { firstYear: 0, lastYear: 0 },
    started: [...carried.started],
    ended: [...carried.ended],
    nextYear: null,
    final: null,
    state: 'running',
    run: carried.runs + 1,
  };
  setHandler(programStatusQuery, () => status);
  setHandler(cycleEndedSignal, (outcome) => {
    if (!status.ended.some((e) => e.year === outcome.year)) status.ended.push(outcome);
  });

  const program = await acts.programOutline(input.programRef);
  const { firstYear, lastYear } = program.period;
  status.period = { firstYear, lastYear };
  // Fixed by the first run and carried, so that every cycle tracks from the instant the program began.
  const trackFrom = input.trackFrom ?? new Date().toISOString();
  const year = input.fromYear ?? firstYearToStart(program, Date.now());
  status.nextYear = year <= lastYear ? year : null;

  if (year <= lastYear) {
    const startAt = planningStartOf(program, year);
    if (startAt > Date.now()) await sleep(startAt - Date.now());
    await startCycle(year);
    status.started.push(year);
    status.nextYear = year < lastYear ? year + 1 : null;
    // A signal handled in this run is carried; one that arrives while the run closes is delivered to the next.
    await condition(allHandlersFinished);
    return continueAsNew<typeof programWorkflow>({
      programRef: input.programRef,
      fromYear: year + 1,
      trackFrom,
      carried: { started: status.started, ended: status.ended, runs: status.run, period: status.period },
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
        args: [{ programRef: input.programRef, year: y, trackFrom, reportTo: self }],
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
