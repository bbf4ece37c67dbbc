import { ApplicationFailure, log, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { CycleRoundSummary } from '../domain/cycle/schema';
import { describeZodError, type RoundSummary } from '../domain/round/schema';
import { fulfilledByParentSignal, type roundWorkflow } from './round';

/** Shared by the cycle and its estimate groups: validation and the rounds they start. */

/** A validator's parse: a malformed payload is refused with every bad field named. */
export function parsePayload<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`malformed payload: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** What a closed round adds to its line in the year's round list. */
export function roundSummaryOf(result: RoundSummary): Partial<CycleRoundSummary> {
  return { state: 'closed', ...(result.counts ? { counts: result.counts } : {}), completionRate: result.completionRate ?? 0, timelinessRate: result.timelinessRate ?? 0 };
}

/**
 * Tells a child round that its obligation was fulfilled here. The round may have reached its cut-off
 * and completed meanwhile; then there is nobody left to tell, which is not an error.
 */
export async function signalIfOpen(handle: ChildWorkflowHandle<typeof roundWorkflow>, f: { unitId: string; reference: string; by: string }): Promise<void> {
  try {
    await handle.signal(fulfilledByParentSignal, f);
  } catch (err) {
    log.info('round already closed; fulfilment not signalled', { workflowId: handle.workflowId, error: String(err) });
  }
}
