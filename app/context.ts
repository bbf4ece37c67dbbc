import type { Client } from '@temporalio/client';
import type { Env } from '../infra/config';
import type { Db } from '../infra/db/client';
import type { FileStorage } from './storage';
import type { WorkflowGateway } from './workflow-gateway';

/**
 * The clients an operation may use, passed in explicitly (the CLI builds them per command, the web app
 * once per process). `clock` is the source of "now" for everything the application layer decides
 * (arrival instants, link expiry, sessions): tests on the time-skipping server give it the server's clock.
 */
export interface AppClients {
  db: Db;
  temporal: Client;
  /** Every Update and cycle query goes through it. */
  gateway: WorkflowGateway;
  env: Env;
  clock: Clock;
  storage: FileStorage;
}

export interface Clock {
  /** Epoch ms. */
  now(): number;
  /**
   * Whether submissions are stamped with this clock's instant of arrival (default true: the web app,
   * where a burst may keep a request waiting). False: the round's own clock marks them when they reach
   * it, for a command line that waits for its answer and may talk to a Temporal server whose clock is
   * not this machine's (a time-skipped one).
   */
  stampsArrivals?: boolean;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The command line's clock: the machine's, leaving arrival instants to the round. */
export const commandLineClock: Clock = { now: () => Date.now(), stampsArrivals: false };

/** Who acts: recorded in the workflow history and the audit log. */
export interface Actor {
  /** A staff e-mail, "agency:<unit>" for a link, or "cli:<login>". */
  id: string;
  role: 'coordinator' | 'appraiser' | 'approver' | 'auditor' | 'agency' | 'operator';
}
