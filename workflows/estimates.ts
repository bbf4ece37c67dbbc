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
import type { ProgramActivities } from '../activities/program';
import type { RoundActivities } from '../activities/round';
import { applySubmission, isDecided, newEstimate } from '../domain/cycle/estimate';
import { revisionRoundInput } from '../domain/cycle/revision';
import type { CycleRoundSummary, DecideEstimate, EstimateState, SubmitEstimate } from '../domain/cycle/schema';
import type { ProgramOutline, ProgramRef } from '../domain/program/outline';
import type { RoundSummary } from '../domain/round/schema';
import { roundSummaryOf } from './cycle-helpers';
import { handleEstimateUpdates, performWrite, type EstimateHolder, type EstimateWrite } from './estimate-actions';
import { roundWorkflowId } from './ids';
import { NON_RETRYABLE } from './retry';
import { roundWorkflow } from './round';
import { ROUND_OPENING } from './round-messages';
import { WriteQueue } from './write-queue';
import { quoted } from '../domain/text/quoted';

/**
 * The budget estimates of one group of a year's reporting units (at most ESTIMATE_GROUP_SIZE), from
 * planning to the end of appraisal, as a child of the year's cycle. Units submit (and, once returned,
 * resubmit) their estimates here; the appraiser approves, adjusts or returns each one here; a returned
 * estimate opens a revision round for its unit with a new deadline. When every estimate of the group is
 * decided, or the appraisal's cut-off has passed, the group tells the cycle it is settled; it ends when
 * its revision rounds have ended. Holding estimates in groups keeps every history small at any scale.
 */
export interface EstimatesInput {
  programRef: ProgramRef;
  year: number;
  /** 1-based. */
  group: number;
  groupSize: number;
  /** Round the decision notices belong to (the appraisal round). */
  appraisalRoundId: string;
  /** The cycle, told when the group is settled. */
  cycleWorkflowId: string;
}

export interface EstimatesStatus {
  group: number;
  year: number;
  phase: 'starting' | 'planning' | 'appraisal' | 'settled';
  /** At most the group's size. */
  estimates: EstimateState[];
  revisionRounds: CycleRoundSummary[];
}

export const submitEstimateUpdate = defineUpdate<EstimateState, [SubmitEstimate]>('estimates.submit');
export const decideEstimateUpdate = defineUpdate<EstimateState, [DecideEstimate]>('estimates.decide');
export const estimatesStatusQuery = defineQuery<EstimatesStatus>('estimates.status');
/** From the cycle: planning is over; the estimates that came with the plans are stored; decisions may begin. */
export const appraisalOpenedSignal = defineSignal('estimates.appraisalOpened');
/** From the cycle: the appraisal has ended (its cut-off, or it was never tracked); settle as things are. */
export const appraisalClosedSignal = defineSignal('estimates.appraisalClosed');
/** To the cycle: every estimate of a group is settled (decided, or missing at the cut-off). */
export const estimatesSettledSignal = defineSignal<[{ group: number; decided: number; missing: number }]>('cycle.estimatesSettled');

const acts = proxyActivities<Pick<CycleActivities, 'recordEstimate' | 'recordDecision'> & Pick<RoundActivities, 'notify'> & ProgramActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE },
});

export async function estimatesWorkflow(input: EstimatesInput): Promise<EstimatesStatus> {
  const { year } = input;
  const estimates = new Map<string, EstimateState>();
  const revisions = new Map<string, ChildWorkflowHandle<typeof roundWorkflow>>();
  const revisionRounds: CycleRoundSummary[] = [];
  const running: Array<Promise<void>> = [];
  const writes = new WriteQueue<EstimateWrite>();
  let members: Set<string> | null = null;
  let program: ProgramOutline | null = null;
  let phase: EstimatesStatus['phase'] = 'starting';
  let opening = false;
  let closing = false;
  const status = (): EstimatesStatus => ({ group: input.group, year, phase, estimates: [...estimates.values()], revisionRounds });

  const holder: EstimateHolder = {
    acts,
    programId: input.programRef.programId,
    year,
    appraisalRoundId: input.appraisalRoundId,
    estimates,
    revisions,
    writes,
    reopenForRevision,
  };
  setHandler(estimatesStatusQuery, status);
  setHandler(appraisalOpenedSignal, () => void (opening = true));
  setHandler(appraisalClosedSignal, () => void (closing = true));

  handleEstimateUpdates(
    holder,
    {
      requireUnit: requireMember,
      submissions: () =>
        phase === 'settled' || closing
          ? { closed: `estimates for ${year} are closed: the appraisal has ended` }
          : { during: phase === 'appraisal' ? 'appraisal' : 'planning' },
      decisionsClosed: () =>
        phase === 'appraisal' && !closing
          ? null
          : phase === 'planning' || phase === 'starting'
            ? `estimates are decided during appraisal; the ${year} plans are still being collected`
            : `the appraisal of ${year} has ended`,
    },
    { submit: submitEstimateUpdate, decide: decideEstimateUpdate },
  );

  let stopWriting = false;
  const writer = (async () => {
    for (;;) {
      await condition(() => writes.pending > 0 || stopWriting);
      if (writes.pending === 0) return;
      const [item] = writes.take(1);
      await performWrite(holder, item!.write);
      item!.done();
    }
  })();

  program = await acts.programOutline(input.programRef);
  members = new Set(await acts.estimateGroupUnits({ programRef: input.programRef, group: input.group, size: input.groupSize }));
  phase = 'planning';

  await condition(() => opening || closing);
  // The estimates that came with the plans were stored by the plan round, beside any sent here during planning:
  // the database holds every version in the order received, so its latest is the one appraised (once this
  // group's own writes are in).
  await condition(() => writes.pending === 0);
  for (const e of await acts.storedEstimates({ programId: input.programRef.programId, year, unitIds: [...members] })) {
    const held = estimates.get(e.unitId);
    if (held && held.version >= e.version) continue;
    const est = applySubmission(held ?? newEstimate(e.unitId), { amountVnd: e.amountVnd, by: e.by, at: e.at });
    est.version = e.version;
    estimates.set(e.unitId, est);
  }
  if (phase === 'planning') phase = 'appraisal';
  await condition(() => closing || [...estimates.values()].every(isDecided));
  phase = 'settled'; // from here on, submissions and decisions are refused
  // A decision that settled the group may still be storing its write and sending its notice.
  await condition(allHandlersFinished);
  await condition(() => writes.pending === 0);
  // Estimates never decided by the cut-off stay as they are; returned ones were never resubmitted.
  if (closing) for (const est of estimates.values()) if (est.status === 'returned') est.status = 'missing';
  const all = [...estimates.values()];
  await getExternalWorkflowHandle(input.cycleWorkflowId).signal(estimatesSettledSignal, {
    group: input.group,
    decided: all.filter(isDecided).length,
    missing: members.size - all.filter(isDecided).length,
  });
  // Revision rounds run to their own cut-off; their results complete the group's round list.
  await Promise.all(running);
  stopWriting = true;
  await writer;
  return status();

  function requireMember(unitId: string): void {
    if (!members) throw ApplicationFailure.create({ type: ROUND_OPENING, nonRetryable: true, message: `estimate group ${input.group} of ${year} is still starting; try again in a moment` });
    if (members.has(unitId)) return;
    throw ApplicationFailure.nonRetryable(
      `unit ${quoted(unitId)} is not in estimate group ${input.group} of ${year}, which holds ${members.size} units of program ${input.programRef.programId}; it is unknown, owes no estimate, or another group holds it (kybao appraise finds the group)`,
    );
  }

  function reopenForRevision(unitId: string, attempt: number): void {
    const round = revisionRoundInput(program!, year, unitId, attempt, Date.now());
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

  /** The unit may have answered on its revision round rather than here: that stored answer is its new version. */
  async function takeAnswerFromRound(unitId: string, result: RoundSummary): Promise<void> {
    const est = estimates.get(unitId);
    if (!est || est.status !== 'returned' || !result.counts || result.counts.submitted + result.counts.late === 0) return;
    const [stored] = await acts.storedEstimates({ programId: input.programRef.programId, year, unitIds: [unitId] });
    if (!stored || stored.version <= est.version) return;
    applySubmission(est, { amountVnd: stored.amountVnd, by: stored.by, at: stored.at });
    est.version = stored.version;
  }

  function setRoundState(roundId: string, patch: Partial<CycleRoundSummary>): void {
    const summary = revisionRounds.find((r) => r.roundId === roundId);
    if (summary) Object.assign(summary, patch);
  }
}
