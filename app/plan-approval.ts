import type { CycleStatus } from '../domain/cycle/schema';
import type { Program } from '../domain/program/schema';
import type { AppClients } from './context';
import { AppError } from './errors';
import { cleanText } from './text';

/** The approving authority approves a year's plan and budget, once appraisal is done (the cycle decides). */
export async function approvePlan(c: Pick<AppClients, 'gateway'>, input: { program: Program; year: number; note?: string; by: string }): Promise<CycleStatus> {
  const note = cleanText(input.note);
  return c.gateway.approvePlan(input.program.id, input.year, { approvedBy: input.by, ...(note ? { note } : {}) });
}

export interface PlanView {
  year: number;
  phase: CycleStatus['phase'] | null;
  running: boolean;
  approval: CycleStatus['approval'];
  /** estimates by status, e.g. { approved: 20, adjusted: 3 } */
  estimates: Record<string, number>;
  /** total approved VND, digits */
  approvedTotalVnd: string;
}

/** What the approver sees: the cycle's phase, the approval, the appraisal's outcome in figures. */
export async function planView(c: Pick<AppClients, 'gateway'>, program: Program, year: number): Promise<PlanView> {
  const cycle = await c.gateway.cycleStatus(program, year);
  if (!cycle) throw new AppError('not-found', `no cycle for ${year} has run; nothing to approve`, 'year');
  const counts: Record<string, number> = {};
  let total = 0n;
  for (const e of cycle.status.estimates) {
    counts[e.status] = (counts[e.status] ?? 0) + 1;
    if (e.approvedAmountVnd) total += BigInt(e.approvedAmountVnd);
  }
  return { year, phase: cycle.status.phase, running: cycle.running, approval: cycle.status.approval, estimates: counts, approvedTotalVnd: total.toString() };
}
