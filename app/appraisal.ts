import { DecideEstimate, type EstimateState } from '../domain/cycle/schema';
import { describeZodError } from '../domain/round/schema';
import type { Program } from '../domain/program/schema';
import type { AppClients } from './context';
import { AppError } from './errors';
import { requireUnit } from './programs';
import { cleanText } from './text';

/**
 * The appraiser's (Sở Tài chính, focal task 16) decision on a unit's budget estimate: approve, adjust
 * (a new amount and why) or return for revision (why). The estimate group holding the unit decides
 * whether it is the time (appraisal phase) and the estimate is one to decide.
 */
export type DecisionInput =
  | { decision: 'approve' }
  | { decision: 'adjust'; amountVnd: string; reason: string }
  | { decision: 'return'; reason: string };

export async function decideEstimate(c: Pick<AppClients, 'gateway'>, input: { program: Program; year: number; unitId: string; by: string } & DecisionInput): Promise<EstimateState> {
  requireUnit(input.program, input.unitId);
  const raw =
    input.decision === 'approve'
      ? { decision: 'approve', unitId: input.unitId, decidedBy: input.by }
      : input.decision === 'adjust'
        ? { decision: 'adjust', unitId: input.unitId, decidedBy: input.by, amountVnd: input.amountVnd, reason: cleanText(input.reason) ?? '' }
        : { decision: 'return', unitId: input.unitId, decidedBy: input.by, reason: cleanText(input.reason) ?? '' };
  const parsed = DecideEstimate.safeParse(raw);
  if (!parsed.success) throw new AppError('invalid', describeZodError(parsed.error), String(parsed.error.issues[0]?.path[0] ?? 'payload'));
  return c.gateway.decideEstimate(input.program, input.year, parsed.data);
}

/** A year's estimates as the workflows hold them now (empty when the year has no cycle). */
export async function listEstimates(c: Pick<AppClients, 'gateway'>, program: Program, year: number): Promise<{ phase: string | null; estimates: EstimateState[] }> {
  const cycle = await c.gateway.cycleStatus(program, year);
  if (!cycle) return { phase: null, estimates: [] };
  const order = new Map(program.units.map((u, i) => [u.id, i]));
  return { phase: cycle.status.phase, estimates: [...cycle.status.estimates].sort((a, b) => (order.get(a.unitId) ?? 0) - (order.get(b.unitId) ?? 0)) };
}
