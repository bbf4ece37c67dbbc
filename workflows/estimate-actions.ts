import { ApplicationFailure, setHandler, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { CycleActivities } from '../activities/cycle';
import type { RoundActivities } from '../activities/round';
import { applyDecision, applySubmission, decidedAmount, decisionNoticeKind, decisionProblem, newEstimate, submissionProblem } from '../domain/cycle/estimate';
import { DecideEstimate, type EstimateState, SubmitEstimate } from '../domain/cycle/schema';
import { parsePayload, signalIfOpen } from './cycle-helpers';
import type { roundWorkflow } from './round';

/**
 * What a submitted estimate and an appraiser's decision do, for whichever workflow holds the estimates
 * (an estimate group, or a cycle recorded before groups existed): the state change, what is stored, and
 * who is told, in this order.
 */
export interface EstimateHolder {
  acts: Pick<CycleActivities, 'recordEstimate' | 'recordDecision'> & Pick<RoundActivities, 'notify'>;
  programId: string;
  year: number;
  appraisalRoundId: string;
  estimates: Map<string, EstimateState>;
  revisions: Map<string, ChildWorkflowHandle<typeof roundWorkflow>>;
  /** Opens the revision round of a returned estimate. */
  reopenForRevision(unitId: string, attempt: number): void;
}

export async function takeSubmission(h: EstimateHolder, req: SubmitEstimate): Promise<EstimateState> {
  const at = new Date().toISOString();
  const est = applySubmission(h.estimates.get(req.unitId) ?? newEstimate(req.unitId), { amountVnd: req.amountVnd, by: req.submittedBy, at });
  h.estimates.set(req.unitId, est);
  await h.acts.recordEstimate({ programId: h.programId, year: h.year, unitId: req.unitId, version: est.version, amountVnd: req.amountVnd, submittedBy: req.submittedBy, submittedAt: at, note: req.note });
  // A resubmission fulfils the unit's open revision round, which stops its reminders.
  const revision = h.revisions.get(req.unitId);
  if (revision) await signalIfOpen(revision, { unitId: req.unitId, reference: `estimate v${est.version}`, by: req.submittedBy });
  return est;
}

export async function takeDecision(h: EstimateHolder, d: DecideEstimate): Promise<EstimateState> {
  const est = h.estimates.get(d.unitId)!;
  const at = new Date().toISOString();
  await h.acts.recordDecision({
    programId: h.programId,
    year: h.year,
    unitId: d.unitId,
    version: est.version,
    decision: d.decision,
    amountVnd: decidedAmount(est, d),
    reason: d.decision === 'approve' ? undefined : d.reason,
    decidedBy: d.decidedBy,
    decidedAt: at,
  });
  applyDecision(est, d, at);
  if (d.decision === 'return') h.reopenForRevision(d.unitId, est.returns);
  await h.acts.notify({ roundId: h.appraisalRoundId, kind: decisionNoticeKind(d), step: est.version, unitIds: [d.unitId], at });
  return est;
}

/** When the holder takes submissions and decisions, and which units it holds. */
export interface EstimateRules {
  /** Refuses a unit this holder has no estimate for (unknown, owing none, or held elsewhere). */
  requireUnit(unitId: string): void;
  /** The phase submissions are taken in, or why they are closed. */
  submissions(): { during: 'planning' | 'appraisal' } | { closed: string };
  /** Why decisions are not taken now, or null during appraisal. */
  decisionsClosed(): string | null;
}

/** Registers the submit and decide Updates, with validators that refuse with the reason and change nothing. */
export function handleEstimateUpdates(
  h: EstimateHolder,
  rules: EstimateRules,
  updates: { submit: UpdateDefinition<EstimateState, [SubmitEstimate]>; decide: UpdateDefinition<EstimateState, [DecideEstimate]> },
): void {
  setHandler(updates.submit, (raw) => takeSubmission(h, SubmitEstimate.parse(raw)), {
    validator: (raw) => {
      const req = parsePayload(SubmitEstimate, raw);
      rules.requireUnit(req.unitId);
      const open = rules.submissions();
      if ('closed' in open) throw ApplicationFailure.nonRetryable(open.closed);
      const problem = submissionProblem(req.unitId, h.estimates.get(req.unitId), open.during);
      if (problem) throw ApplicationFailure.nonRetryable(problem);
    },
  });
  setHandler(updates.decide, (raw) => takeDecision(h, DecideEstimate.parse(raw)), {
    validator: (raw) => {
      const d = parsePayload(DecideEstimate, raw);
      const closed = rules.decisionsClosed();
      if (closed) throw ApplicationFailure.nonRetryable(closed);
      rules.requireUnit(d.unitId);
      const problem = decisionProblem(d.unitId, h.year, h.estimates.get(d.unitId));
      if (problem) throw ApplicationFailure.nonRetryable(problem);
    },
  });
}
