import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Program } from '../../domain/program/schema';
import { createDevServerEnv, createTimeSkippingEnv } from './temporal';
import { createWorld, World } from './world';
import type { Provider } from '../db/harness';

export interface Testbed {
  env: TestWorkflowEnvironment;
  world: World;
}

/**
 * Registers beforeAll/afterAll for a describe block: a Temporal environment (the time-skipping server
 * with its clock at `startAt`, or a dev server) and a world (database, program, mail sink, activities).
 * Returns a getter, because both exist only once beforeAll has run.
 */
export function useTestbed(
  options: { startAt?: string; server?: 'time-skipping' | 'dev'; program?: () => Program; provider?: Provider } = {},
): () => Testbed {
  let bed: Partial<Testbed> = {};
  beforeAll(async () => {
    const env = options.server === 'dev' ? await createDevServerEnv() : await createTimeSkippingEnv(options.startAt);
    bed = {
      env,
      world: await createWorld({ ...(options.program ? { program: options.program() } : {}), ...(options.provider ? { provider: options.provider } : {}) }),
    };
  }, 600_000);
  afterAll(async () => {
    await bed.world?.close();
    await bed.env?.teardown();
  });
  return () => {
    if (!bed.env || !bed.world) throw new Error('the testbed is set up in beforeAll; use it inside a test');
    return bed as Testbed;
  };
}
