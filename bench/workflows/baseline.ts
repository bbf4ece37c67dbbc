/**
 * The baselines' workflows: bare Temporal doing the same kind of work as kybao, with nothing of kybao's
 * own (no state class, no calendar, no database rules). Bundled by bench/baseline.ts, never by the worker.
 * Same rules as workflows/: deterministic, activities imported as types only.
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { BaselineActivities } from '../baseline-activities';

const acts = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

export const submitUpdate = defineUpdate<{ receipt: number }, [{ unitId: string }]>('baseline.submit');

/**
 * Round overhead baseline: one unit's obligation as a minimal workflow. It takes one Update, whose
 * handler runs one activity (the receipt, persisted) and answers; then the workflow completes.
 */
export async function receiptWorkflow(input: { roundId: string; unitId: string }): Promise<{ unitId: string; receipt: number }> {
  let receipt: number | null = null;
  setHandler(submitUpdate, async ({ unitId }) => {
    const { id } = await acts.recordReceipt({ roundId: input.roundId, unitId });
    receipt = id;
    return { receipt: id };
  });
  await condition(() => receipt !== null);
  return { unitId: input.unitId, receipt: receipt! };
}

export const actUpdate = defineUpdate<number, [{ activities: number }]>('baseline.act');
export const finishUpdate = defineUpdate<void, []>('baseline.finish');

/**
 * Year baseline: one long workflow on the time-skipping server that timers wake at the given instants
 * (each running one activity) and that people poke with Updates (each running `activities` activities in
 * a row), until told to finish.
 */
export async function yearWorkflow(input: { wakeUps: number[] }): Promise<number> {
  let done = false;
  let calls = 0;
  setHandler(actUpdate, async ({ activities }) => {
    for (let i = 0; i < activities; i++) await acts.noop({ step: i });
    calls += activities;
    return calls;
  });
  setHandler(finishUpdate, () => {
    done = true;
  });
  for (const at of input.wakeUps) {
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait);
    await acts.noop({ step: -1 });
    calls += 1;
  }
  await condition(() => done);
  return calls;
}
