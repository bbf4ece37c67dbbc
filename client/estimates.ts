import type { Client } from '@temporalio/client';
import type { DecideEstimate, EstimateState, SubmitEstimate } from '../domain/cycle/schema';
import type { Program } from '../domain/program/schema';
import { WorkflowGateway, estimatesWorkflowOf as workflowOf } from '../app/workflow-gateway';

/**
 * Estimates for the simulation, through the application layer's workflow gateway (app/workflow-gateway.ts),
 * the one module that talks to estimate groups.
 */
export function estimatesWorkflowOf(program: Program, year: number, unitId: string): string {
  return workflowOf(program, unitId, year);
}

const gateway = (client: Client) => new WorkflowGateway(client, { taskQueue: '' });

export async function decideEstimate(client: Client, program: Program, year: number, d: DecideEstimate): Promise<{ workflowId: string; estimate: EstimateState }> {
  return { workflowId: estimatesWorkflowOf(program, year, d.unitId), estimate: await gateway(client).decideEstimate(program, year, d) };
}

export function submitEstimate(client: Client, program: Program, year: number, s: SubmitEstimate): Promise<EstimateState> {
  return gateway(client).submitEstimate(program, year, s);
}

export function currentEstimate(client: Client, program: Program, year: number, unitId: string): Promise<EstimateState | null> {
  return gateway(client).currentEstimate(program, year, unitId);
}
