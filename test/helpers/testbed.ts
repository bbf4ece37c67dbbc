import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Program } from '../../domain/program/schema';
import { createDevServerEnv, createTimeSkippingEnv } from './temporal';
import { createWorld, type World } from './world';
import type { Provider } from '../db/harness';

export interface Testbed {
  env: TestWorkflowEnvironment;
  world: World;
}

export interface TestbedOptions {
  startAt?: string;
  server?: 'time-skipping' | 'dev';
  /** Extra arguments for `temporal server start-dev`, e.g. dynamic config values. */
  devServerArgs?: string[];
  program?: () => Program;
  provider?: Provider;
  /** Added to the environment the activities read (e.g. KYBAO_BASE_URL, KYBAO_LINK_SECRET). */
  env?: Record<string, string>;
}

/**
 * useTestbed's setup and teardown on their own: jest runs afterAll hooks in the order they were registered,
 * so a helper that must stop something (a worker) before the testbed closes registers its own hooks.
 */
export async function createTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  const env = options.server === 'dev' ? await createDevServerEnv(options.devServerArgs) : await createTimeSkippingEnv(options.startAt);
  try {
    return {
      env,
      world: await createWorld({ ...(options.program ? { program: options.program() } : {}), ...(options.provider ? { provider: options.provider } : {}), ...(options.env ? { env: options.env } : {}) }),
    };
  } catch (error) {
    await env.teardown();
    throw error;
  }
}

export async function closeTestbed(bed: Partial<Testbed>): Promise<void> {
  await bed.world?.close();
  await bed.env?.teardown();
}

/**
 * Registers beforeAll/afterAll for a describe block: a Temporal environment (the time-skipping server
 * with its clock at `startAt`, or a dev server) and a world (database, program, mail sink, activities).
 * Returns a getter, because both exist only once beforeAll has run.
 */
export function useTestbed(options: TestbedOptions = {}): () => Testbed {
  let bed: Partial<Testbed> = {};
  beforeAll(async () => {
    bed = await createTestbed(options);
  }, 600_000);
  afterAll(() => closeTestbed(bed));
  return () => {
    if (!bed.env || !bed.world) throw new Error('the testbed is set up in beforeAll; use it inside a test');
    return bed as Testbed;
  };
}
