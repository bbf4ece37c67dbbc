import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycle';
import type { RoundActivities } from '../activities/round';
import { applySubmission, isDecided, newEstimate } from '../domain/cycle/estimate';
import { revisionRoundInput } from '../domain/cycle/revision';
import type { CycleRoundSummary, DecideEstimate, EstimateState, SubmitEstimate } from '../domain/cycle/schema';
import type { Program } from '../domain/program/schema';
import type { RoundStatus } from '../domain/round/schema';
import { roundWorkflowId } from './ids';
import { NON_RETRYABLE } from './retry';
import { requireReportingUnit, roundSummaryOf } from './cycle-helpers';
import { handleEstimateUpdates, type EstimateHolder } from './estimate-actions';
import { roundWorkflow } from './round';

/**
 * The budget estimates of one group of a year's reporting units (at most ESTIMATE_GROUP_SIZE), from
 * planning to the end of appraisal, as a child of the year's cycle. Units submit (and, once returned,
 * resubmit) their estimates here; the appraiser approves, adjusts or returns each one here; a returned
 * estimate opens a revision round for its unit with a new deadline. When every estimate of the group is
 * decided, or the appraisal's cut-off has passed, the group tells the cycle it is settled; it ends when
 * its revision rounds have ended. Holding estimates in groups keeps every history small at any scale.
 */
export interface EstimatesInput {
  program: Program;
  year: number;
  group: number;
  unitIds: string[];
  /** Round the decision notices belong to (the appraisal round). */
  appraisalRoundId: string;
  /** The cycle, told when the group is settled. */
  cycleWorkflowId: string;
}

/** A plan-round submission that carried an amount: version 1 of the unit's estimate. */
export interface PlannedEstimate {
  unitId: string;
  amountVnd: string;
  by: string;
  at: string;
}

export interface EstimatesStatus {
  group: number;
  year: number;
  phase: 'planning' | 'appraisal' | 'settled';
  estimates: EstimateState[];
  revisionRounds: CycleRoundSummary[];
}

export const submitEstimateUpdate = defineUpdate<EstimateState, [SubmitEstimate]>('estimates.submit');
export const decideEstimateUpdate = defineUpdate<EstimateState, [DecideEstimate]>('estimates.decide');
export const estimatesStatusQuery = defineQuery<EstimatesStatus>('estimates.status');
/** From the cycle: planning is over, these estimates came with the plans; decisions may begin. */
export const appraisalOpenedSignal = defineSignal<[PlannedEstimate[]]>('estimates.appraisalOpened');
/** From the cycle: the appraisal has ended (its cut-off, or it was never tracked); settle as things are. */
export const appraisalClosedSignal = defineSignal('estimates.appraisalClosed');
/** To the cycle: every estimate of a group is settled (decided, or missing at the cut-off). */
export const estimatesSettledSignal = defineSignal<[EstimatesStatus]>('cycle.estimatesSettled');

const acts = proxyActivities<Pick<CycleActivities, 'recordEstimate' | 'recordDecision'> & Pick<RoundActivities, 'notify'>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE },
});

export async function estimatesWorkflow(input: EstimatesInput): Promise<EstimatesStatus> {
  const { program, year } = input;
  const members = new Set(input.unitIds);
  const estimates = new Map<string, EstimateState>();
  const revisions = new Map<string, ChildWorkflowHandle<typeof roundWorkflow>>();
  const revisionRounds: CycleRoundSummary[] = [];
  const running: Array<Promise<void>> = [];
  let phase: EstimatesStatus['phase'] = 'planning';
  let closing = false;
  const status = (): EstimatesStatus => ({ group: input.group, year, phase, estimates: [...estimates.values()], revisionRounds });

  const holder: EstimateHolder = { acts, programId: program.id, year, appraisalRoundId: input.appraisalRoundId, estimates, revisions, reopenForRevision };
  setHandler(estimatesStatusQuery, status);
  setHandler(appraisalOpenedSignal, (planned) => {
    for (const p of planned) {
      // Version 1 was stored by the plan round when the unit submitted it; an estimate sent here wins.
      if (!members.has(p.unitId) || estimates.has(p.unitId)) continue;
      estimates.set(p.unitId, applySubmission(newEstimate(p.unitId), { amountVnd: p.amountVnd, by: p.by, at: p.at }));
    }
    if (phase === 'planning') phase = 'appraisal';
  });
  setHandler(appraisalClosedSignal, () => {
    closing = true;
  });

  handleEstimateUpdates(
    holder,
    {
      requireUnit: requireMember,
      submissions: () => (phase === 'settled' || closing ? { closed: `estimates for ${year} are closed: the appraisal has ended` } : { during: phase }),
      decisionsClosed: () =>
        phase === 'appraisal' && !closing
          ? null
          : phase === 'planning'
            ? `estimates are decided during appraisal; the ${year} plans are still being collected`
            : `the appraisal of ${year} has ended`,
    },
    { submit: submitEstimateUpdate, decide: decideEstimateUpdate },
  );

  await condition(() => phase === 'appraisal' || closing);
  await condition(() => closing || [...estimates.values()].every(isDecided));
  phase = 'settled'; // from here on, submissions and decisions are refused
  // A decision that settled the group may still be sending its notice.
  await condition(allHandlersFinished);
  // Estimates never decided by the cut-off stay as they are; returned ones were never resubmitted.
  if (closing) for (const est of estimates.values()) if (est.status === 'returned') est.status = 'missing';
  await getExternalWorkflowHandle(input.cycleWorkflowId).signal(estimatesSettledSignal, status());
  // Revision rounds run to their own cut-off; their results complete the year's round list.
  await Promise.all(running);
  return status();

  function requireMember(unitId: string): void {
    if (members.has(unitId)) return;
    // The group knows only its own units and those owing nothing (its input leaves the other groups out).
    if (program.units.some((u) => u.id === unitId)) requireReportingUnit(program, unitId);
    throw ApplicationFailure.nonRetryable(
      `unknown unit "${unitId}" in estimate group ${input.group} of ${year}, which holds ${members.size} units of program ${program.id}; another group may hold it (kybao appraise finds the group)`,
    );
  }

  function reopenForRevision(unitId: string, attempt: number): void {
    const round = revisionRoundInput(program, year, unitId, attempt, Date.now());
    revisionRounds.push({ roundId: round.roundId, kind: 'budget-revision', title: round.title, deadline: round.deadline, state: 'scheduled' });
    running.push(
      (async () => {
        const handle = await startChild(roundWorkflow, { workflowId: roundWorkflowId(round.roundId), args: [round] });
        setRoundState(round.roundId, { state: 'open' });
        revisions.set(unitId, handle);
        const result = await handle.result();
        if (revisions.get(unitId) === handle) revisions.delete(unitId);
        setRoundState(round.roundId, roundSummaryOf(result));
        await takeAnswerFromRound(unitId, result);
      })(),
    );
  }

  /** The unit may have answered on its revision round rather than here: that answer is its new version. */
  async function takeAnswerFromRound(unitId: string, result: RoundStatus): Promise<void> {
    const est = estimates.get(unitId);
    const answer = result.units[0]?.submissions.find((s) => s.amountVnd !== undefined);
    if (!est || est.status !== 'returned' || !answer) return;
    applySubmission(est, { amountVnd: answer.amountVnd!, by: answer.by, at: answer.at });
    await acts.recordEstimate({ programId: program.id, year, unitId, version: est.version, amountVnd: est.amountVnd, submittedBy: answer.by, submittedAt: answer.at });
  }

  function setRoundState(roundId: string, patch: Partial<CycleRoundSummary>): void {
    const summary = revisionRounds.find((r) => r.roundId === roundId);
    if (summary) Object.assign(summary, patch);
  }
}
