import { DateTime } from 'luxon';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

export const ZONE = 'Asia/Ho_Chi_Minh';

/** Epoch ms of a local wall-clock time in Hà Nội, e.g. at('2015-03-25T00:00'). */
export function at(local: string): number {
  const dt = DateTime.fromISO(local, { zone: ZONE });
  if (!dt.isValid) throw new Error(`bad local time ${local}`);
  return dt.toMillis();
}

/** The same instant as ISO-8601 with +07:00, the way kybao writes instants for people. */
export function iso(ms: number): string {
  return DateTime.fromMillis(ms, { zone: ZONE }).toISO({ suppressMilliseconds: true })!;
}

/** Skips the test server's clock forward to `targetMs` (never backwards). */
export async function skipTo(env: TestWorkflowEnvironment, targetMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (targetMs > now) await env.sleep(targetMs - now);
}
