import { z } from 'zod';
import { MAX_ACTOR_CHARS, MAX_ID_CHARS, MAX_TEXT_CHARS, tooLong } from '../round/limits';

/** The contract of a yearly cycle's human actions (budget estimates, appraisal, approval) and its status. */
const amount = z.string().regex(/^\d{1,15}$/, 'amounts are whole VND, digits only (e.g. "1250000000")');

export const SubmitEstimate = z.object({
  unitId: z.string().min(1, 'unitId is required').max(MAX_ID_CHARS, tooLong('unitId', MAX_ID_CHARS)),
  amountVnd: amount,
  submittedBy: z.string().min(1, 'submittedBy is required').max(MAX_ACTOR_CHARS, tooLong('submittedBy', MAX_ACTOR_CHARS)),
  note: z.string().max(MAX_TEXT_CHARS, tooLong('note', MAX_TEXT_CHARS)).optional(),
});
export type SubmitEstimate = z.infer<typeof SubmitEstimate>;

export const DecideEstimate = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve'), unitId: z.string().min(1).max(MAX_ID_CHARS, tooLong('unitId', MAX_ID_CHARS)), decidedBy: z.string().min(1).max(MAX_ACTOR_CHARS, tooLong('decidedBy', MAX_ACTOR_CHARS)) }),
  z.object({
    decision: z.literal('adjust'),
    unitId: z.string().min(1).max(MAX_ID_CHARS, tooLong('unitId', MAX_ID_CHARS)),
    decidedBy: z.string().min(1).max(MAX_ACTOR_CHARS, tooLong('decidedBy', MAX_ACTOR_CHARS)),
    amountVnd: amount,
    reason: z.string().min(3, 'say why the amount is adjusted (at least 3 characters)').max(MAX_TEXT_CHARS, tooLong('reason', MAX_TEXT_CHARS)),
  }),
  z.object({
    decision: z.literal('return'),
    unitId: z.string().min(1).max(MAX_ID_CHARS, tooLong('unitId', MAX_ID_CHARS)),
    decidedBy: z.string().min(1).max(MAX_ACTOR_CHARS, tooLong('decidedBy', MAX_ACTOR_CHARS)),
    reason: z.string().min(3, 'say why the estimate is returned (at least 3 characters)').max(MAX_TEXT_CHARS, tooLong('reason', MAX_TEXT_CHARS)),
  }),
]);
export type DecideEstimate = z.infer<typeof DecideEstimate>;

export const ApprovePlan = z.object({
  approvedBy: z.string().min(1, 'approvedBy is required').max(MAX_ACTOR_CHARS, tooLong('approvedBy', MAX_ACTOR_CHARS)),
  note: z.string().max(MAX_TEXT_CHARS, tooLong('note', MAX_TEXT_CHARS)).optional(),
});
export type ApprovePlan = z.infer<typeof ApprovePlan>;

export type EstimateStatus = 'submitted' | 'approved' | 'adjusted' | 'returned' | 'missing';

export interface EstimateState {
  unitId: string;
  version: number;
  amountVnd: string;
  status: EstimateStatus;
  approvedAmountVnd: string | null;
  returns: number;
  history: Array<{ action: 'submitted' | 'approve' | 'adjust' | 'return'; amountVnd?: string; reason?: string; by: string; at: string }>;
}

export type CycleRoundState = 'scheduled' | 'open' | 'closed' | 'not-tracked';

export interface CycleRoundSummary {
  roundId: string;
  kind: string;
  title: { vi: string; en: string };
  deadline: string;
  state: CycleRoundState;
  counts?: Record<string, number>;
  completionRate?: number;
  timelinessRate?: number;
}

/**
 * A year as its cycle workflow knows it. Budget estimates are not here (they grow with the number of
 * units): they are held by the year's estimate groups and stored in the database.
 */
export interface CycleStatus {
  programId: string;
  year: number;
  phase: 'starting' | 'planning' | 'appraisal' | 'approval' | 'reporting' | 'compilation' | 'done';
  /** The calendar's rounds and the ad hoc rounds (revision rounds are their estimate groups'). */
  rounds: CycleRoundSummary[];
  /** Estimate groups of the year, and how many have settled (every estimate decided, or the cut-off). */
  estimateGroups: { count: number; settled: number };
  approval: { approvedBy: string; at: string } | null;
  compilation: { reference: string } | null;
}
