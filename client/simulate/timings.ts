/**
 * Where a simulation's wall time goes (issue #14: a year in fast-forward in 20 s or less), measured on
 * the simulation's own process: the phases in order, and inside the year, the time spent skipping the
 * server's clock, in the simulated people's actions (Updates: a round trip through the server, the
 * workflow and its activities), and in activities (the worker's side effects: database and outbox).
 * All values are milliseconds of wall time; activities can overlap, so their sum may exceed the year.
 */
export interface SimulationTimings {
  serverStartMs: number;
  /** Throw-away database: migrations, the program loaded, the mail sink. */
  databaseMs: number;
  /** The worker, with the workflow bundle (prebuilt, or bundled now). */
  workerMs: number;
  /** From the first workflow start to every year's cycle closed. */
  yearMs: number;
  /** Inside the year: waiting for the server to skip its clock to the next action. */
  clockSkipsMs: number;
  /** Inside the year: the simulated people's Updates and queries, each to its answer. */
  actionsMs: number;
  actions: number;
  /** Activities run by the worker, and their summed durations. */
  activityCalls: number;
  activitiesMs: number;
  /** The compliance matrix and mail counts read for the report, and closing everything. */
  reportMs: number;
}

export function newTimings(): SimulationTimings {
  return { serverStartMs: 0, databaseMs: 0, workerMs: 0, yearMs: 0, clockSkipsMs: 0, actionsMs: 0, actions: 0, activityCalls: 0, activitiesMs: 0, reportMs: 0 };
}

/** Runs `fn` and adds its wall time to `timings[field]`. */
export async function timed<T>(timings: SimulationTimings, field: keyof SimulationTimings, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings[field] += performance.now() - started;
  }
}

/** The same activities, each adding its duration to the timings (names kept: the worker registers them by key). */
export function timedActivities<A extends Record<string, unknown>>(activities: A, timings: SimulationTimings): A {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      typeof fn === 'function'
        ? async (...args: unknown[]) => {
            timings.activityCalls += 1;
            return timed(timings, 'activitiesMs', () => (fn as (...a: unknown[]) => Promise<unknown>)(...args));
          }
        : fn,
    ]),
  ) as A;
}

/** "server start 3.1 s, database 1.2 s, …" for the progress line at the end. */
export function describeTimings(t: SimulationTimings): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `server start ${s(t.serverStartMs)}, database ${s(t.databaseMs)}, worker ${s(t.workerMs)}, year ${s(t.yearMs)} ` +
    `(clock skips ${s(t.clockSkipsMs)}, ${t.actions} actions ${s(t.actionsMs)}; ${t.activityCalls} activities ${s(t.activitiesMs)}), report ${s(t.reportMs)}`
  );
}
