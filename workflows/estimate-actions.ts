import { ApplicationFailure, setHandler, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { CycleActivities } from '../activities/cycle';
import type { RoundActivities } from '../activities/round';
import { applyDecision, applySubmission, decidedAmount, decisionNoticeKind, decisionProblem, newEstimate, submissionProblem } from '../domain/cycle/estimate';
import { DecideEstimate, SubmitEstimate, type EstimateState } from '../domain/cycle/schema';
import { parsePayload, signalIfOpen } from './cycle-helpers';
import type { roundWorkflow } from './round';
import { type WriteQueue } from './write-queue';

/**
 * What a submitted estimate and an appraiser's decision do in an estimate group: the state change (made
 * before any await, so a second Update's validator sees it), then what is stored and who is told, in the
 * order decided (one writer loop).
 */
export interface EstimateHolder {
  acts: Pick<CycleActivities, 'recordEstimate' | 'recordDecision'> & Pick<RoundActivities, 'notify'>;
  programId: string;
  year: number;
  appraisalRoundId: string;
  estimates: Map<string, EstimateState>;
  revisions: Map<string, ChildWorkflowHandle<typeof roundWorkflow>>;
  writes: WriteQueue<EstimateWrite>;
  /** Opens the revision round of a returned estimate. */
  reopenForRevision(unitId: string, attempt: number): void;
}

export type EstimateWrite =
  | { kind: 'estimate'; unitId: string; version: number; amountVnd: string; submittedBy: string; submittedAt: string; note?: string }
  | { kind: 'decision'; decision: DecideEstimate; version: number; amountVnd?: string; decidedAt: string };

export async function takeSubmission(h: EstimateHolder, req: SubmitEstimate): Promise<EstimateState> {
  const at = new Date().toISOString();
  const est = applySubmission(h.estimates.get(req.unitId) ?? newEstimate(req.unitId), { amountVnd: req.amountVnd, by: req.submittedBy, at });
  h.estimates.set(req.unitId, est);
  const answer = { ...est, history: [...est.history] };
  await h.writes.push({ kind: 'estimate', unitId: req.unitId, version: est.version, amountVnd: req.amountVnd, submittedBy: req.submittedBy, submittedAt: at, ...(req.note ? { note: req.note } : {}) });
  return answer;
}

export async function takeDecision(h: EstimateHolder, d: DecideEstimate): Promise<EstimateState> {
  const est = h.estimates.get(d.unitId)!;
  const at = new Date().toISOString();
  const amountVnd = decidedAmount(est, d);
  applyDecision(est, d, at);
  if (d.decision === 'return') h.reopenForRevision(d.unitId, est.returns);
  const answer = { ...est, history: [...est.history] };
  await h.writes.push({ kind: 'decision', decision: d, version: est.version, ...(amountVnd ? { amountVnd } : {}), decidedAt: at });
  return answer;
}

/** Stores one write and tells whom it concerns; the group's writer loop calls this in order. */
export async function performWrite(h: EstimateHolder, w: EstimateWrite): Promise<void> {
  if (w.kind === 'estimate') {
    await h.acts.recordEstimate({ programId: h.programId, year: h.year, unitId: w.unitId, version: w.version, amountVnd: w.amountVnd, submittedBy: w.submittedBy, submittedAt: w.submittedAt, ...(w.note ? { note: w.note } : {}) });
    // A resubmission fulfils the unit's open revision round, which stops its reminders.
    const revision = h.revisions.get(w.unitId);
    if (revision) await signalIfOpen(revision, { unitId: w.unitId, reference: `estimate v${w.version}`, by: w.submittedBy });
    return;
  }
  const d = w.decision;
  await h.acts.recordDecision({
    programId: h.programId,
    year: h.year,
    unitId: d.unitId,
    version: w.version,
    decision: d.decision,
    ...(w.amountVnd ? { amountVnd: w.amountVnd } : {}),
    ...(d.decision === 'approve' ? {} : { reason: d.reason }),
    decidedBy: d.decidedBy,
    decidedAt: w.decidedAt,
  });
  await h.acts.notify({ roundId: h.appraisalRoundId, kind: decisionNoticeKind(d), step: w.version, unitIds: [d.unitId], at: w.decidedAt });
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
