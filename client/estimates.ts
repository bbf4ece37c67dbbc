import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { estimateGroupOf, estimateGroupsOf } from '../domain/cycle/estimate-groups';
import type { DecideEstimate, EstimateState } from '../domain/cycle/schema';
import type { Program } from '../domain/program/schema';
import { cycleStatusQuery, decideEstimateUpdate as decideInCycle } from '../workflows/cycle';
import { decideEstimateUpdate, estimatesStatusQuery } from '../workflows/estimates';
import { cycleWorkflowId, estimatesWorkflowId } from '../workflows/ids';

/**
 * Where a unit's budget estimate for a year lives: the estimate group holding the unit, or, for a cycle
 * started before estimates moved into groups, the cycle itself.
 */
export function estimatesWorkflowOf(program: Program, year: number, unitId: string): string {
  const group = estimateGroupOf(program, unitId);
  if (group === null) throw new Error(`unit "${unitId}" owes no budget estimate in program ${program.id}`);
  return estimatesWorkflowId(program.id, year, group);
}

/** A decision or submission sent after the unit's estimate group has ended (its appraisal is over). */
export class AppraisalOverError extends Error {}

/** The appraiser's decision, sent where the estimate lives; returns the workflow that took it too. */
export async function decideEstimate(client: Client, program: Program, year: number, d: DecideEstimate): Promise<{ workflowId: string; estimate: EstimateState }> {
  const workflowId = estimatesWorkflowOf(program, year, d.unitId);
  const group = client.workflow.getHandle(workflowId);
  try {
    return { workflowId, estimate: await group.executeUpdate(decideEstimateUpdate, { args: [d] }) };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const ended = await group.describe().then(
      () => true,
      () => false,
    );
    const cycle = client.workflow.getHandle(cycleWorkflowId(program.id, year));
    if (ended) {
      const phase = await cycle.query(cycleStatusQuery).then(
        (s) => `the ${year} cycle is in its ${s.phase} phase`,
        () => `the ${year} cycle has ended`,
      );
      throw new AppraisalOverError(`estimates are decided during appraisal; ${phase} (${workflowId} has ended)`);
    }
    // No group: a cycle started before estimates moved into groups holds them itself.
    return { workflowId: cycle.workflowId, estimate: await cycle.executeUpdate(decideInCycle, { args: [d] }) };
  }
}

/** A unit's estimate as its group holds it now (null when it has none, or the group has ended). */
export async function currentEstimate(client: Client, program: Program, year: number, unitId: string): Promise<EstimateState | null> {
  const status = await client.workflow.getHandle(estimatesWorkflowOf(program, year, unitId)).query(estimatesStatusQuery);
  return status.estimates.find((e) => e.unitId === unitId) ?? null;
}

/**
 * A year's estimates as their groups hold them now, over `known` (what the cycle knows); a group that
 * does not answer (a cycle from before estimate groups, or one that has ended) leaves `known` as it is.
 */
export async function liveEstimates(client: Client, program: Program, year: number, known: EstimateState[]): Promise<EstimateState[]> {
  const byUnit = new Map(known.map((e) => [e.unitId, e]));
  const groups = estimateGroupsOf(program).map((_, i) => estimatesWorkflowId(program.id, year, i + 1));
  for (const workflowId of groups) {
    const status = await client.workflow
      .getHandle(workflowId)
      .query(estimatesStatusQuery)
      .catch(() => null);
    for (const e of status?.estimates ?? []) byUnit.set(e.unitId, e);
  }
  return [...byUnit.values()];
}
