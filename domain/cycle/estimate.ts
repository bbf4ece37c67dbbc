import type { DecideEstimate, EstimateState } from './schema';

/**
 * What a submission or a decision does to a unit's budget estimate, and when either is refused: the
 * rules, apart from the workflows that hold the estimates.
 */
export function newEstimate(unitId: string): EstimateState {
  return { unitId, version: 0, amountVnd: '0', status: 'submitted', approvedAmountVnd: null, returns: 0, history: [] };
}

export const isDecided = (e: EstimateState): boolean => e.status === 'approved' || e.status === 'adjusted';

/** A new version of the estimate, waiting for a decision. */
export function applySubmission(est: EstimateState, s: { amountVnd: string; by: string; at: string }): EstimateState {
  est.version += 1;
  est.amountVnd = s.amountVnd;
  est.status = 'submitted';
  est.history.push({ action: 'submitted', amountVnd: s.amountVnd, by: s.by, at: s.at });
  return est;
}

/** The appraiser's decision on the submitted version; a return makes the unit owe a new version. */
export function applyDecision(est: EstimateState, d: DecideEstimate, at: string): EstimateState {
  if (d.decision === 'approve') {
    est.status = 'approved';
    est.approvedAmountVnd = est.amountVnd;
    est.history.push({ action: 'approve', amountVnd: est.amountVnd, by: d.decidedBy, at });
  } else if (d.decision === 'adjust') {
    est.status = 'adjusted';
    est.approvedAmountVnd = d.amountVnd;
    est.history.push({ action: 'adjust', amountVnd: d.amountVnd, reason: d.reason, by: d.decidedBy, at });
  } else {
    est.status = 'returned';
    est.returns += 1;
    est.history.push({ action: 'return', reason: d.reason, by: d.decidedBy, at });
  }
  return est;
}

/** Why a unit cannot submit (or replace) its estimate now, or null. */
export function submissionProblem(unitId: string, est: EstimateState | undefined, during: 'planning' | 'appraisal'): string | null {
  if (est && isDecided(est)) return `the estimate of "${unitId}" was already ${est.status}; it cannot be replaced`;
  if (during === 'appraisal' && est?.status !== 'returned') {
    return `during appraisal only a returned estimate can be resubmitted; "${unitId}" has ${est ? `status ${est.status}` : 'no estimate'}`;
  }
  return null;
}

/** Why the appraiser cannot decide on a unit's estimate now (during appraisal), or null. */
export function decisionProblem(unitId: string, year: number, est: EstimateState | undefined): string | null {
  if (!est) return `"${unitId}" has no estimate for ${year} to decide on`;
  if (est.status !== 'submitted') return `the estimate of "${unitId}" is ${est.status}; only a submitted estimate can be decided`;
  return null;
}

/** The amount a decision approves: the submitted one, the adjusted one, or none for a return. */
export function decidedAmount(est: EstimateState, d: DecideEstimate): string | undefined {
  return d.decision === 'adjust' ? d.amountVnd : d.decision === 'approve' ? est.amountVnd : undefined;
}

export function decisionNoticeKind(d: DecideEstimate): 'estimate-approved' | 'estimate-adjusted' | 'estimate-returned' {
  return d.decision === 'approve' ? 'estimate-approved' : d.decision === 'adjust' ? 'estimate-adjusted' : 'estimate-returned';
}
