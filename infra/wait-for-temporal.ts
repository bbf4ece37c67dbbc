import { Connection } from '@temporalio/client';

/** Polls a Temporal frontend until it answers a health check, or gives up after `timeoutMs`. */
export async function waitForTemporal(address: string, timeoutMs = 60_000, onWait?: (ms: number) => void): Promise<void> {
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.healthService.check({});
      await connection.close();
      return;
    } catch (err) {
      lastError = err;
      onWait?.(Date.now() - started);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs / 1000}s: ${String(lastError)}`);
}

/** True when a Temporal frontend already answers on the address (e.g. a server left running). */
export async function temporalAnswers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.healthService.check({});
    await connection.close();
    return true;
  } catch {
    return false;
  }
}
