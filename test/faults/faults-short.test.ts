import { runFaultScenario, type FaultFigures } from '../../scripts/faults/scenario';

/**
 * The short CI version of `npm run faults` (scripts/faults/): 60 units, one seed, on a real dev server
 * in real time (about 4 minutes a scenario): the worker killed with SIGKILL at seeded moments and
 * restarted; and, on PostgreSQL, two workers on one task queue with one killed mid-round, where both
 * must have done work. Each prints its summary line; nothing may be lost or sent twice, every receipt is
 * stored once with its mark, both rounds close with the right counts.
 */
jest.setTimeout(12 * 60_000);
const pg = process.env.KYBAO_TEST_POSTGRES_URL;

function expectClean(f: FaultFigures): void {
  console.log(`${f.line}\n  ${f.faults.join('\n  ')}${f.problems.length ? `\n  PROBLEMS: ${f.problems.join('; ')}` : ''}`);
  expect(f.problems).toEqual([]);
  expect({ duplicates: f.duplicates, lost: f.lost, wrongMarks: f.wrongMarks }).toEqual({ duplicates: 0, lost: 0, wrongMarks: 0 });
  expect(f.recorded).toBe(f.submissions);
  expect(f.roundsClosed).toBe(f.rounds);
  expect(f.countsRight).toBe(true);
  expect(f.remindersDue).toBeGreaterThan(0);
  expect(f.escalationsDue).toBeGreaterThan(0);
  expect(f.faults.length).toBeGreaterThan(0);
}

describe('fault scenarios, short (dev server, worker processes, real time)', () => {
  // CI keeps one scenario for time (about 4 minutes each); KYBAO_FAULTS_ALL=1 runs the restart one too.
  (process.env.KYBAO_FAULTS_ALL === '1' ? it : it.skip)('worker killed with SIGKILL and restarted: nothing lost, nothing sent twice', async () => {
    expectClean(await runFaultScenario({ scenario: 'worker-sigkill', seed: 1, units: 60 }));
  });

  (pg ? it : it.skip)('two workers on PostgreSQL, one killed: both did work, nothing lost or sent twice', async () => {
    const f = await runFaultScenario({ scenario: 'two-workers-pg', seed: 1, units: 60 });
    expectClean(f);
    console.log(`activities per worker: ${JSON.stringify(f.workerActivities)}`);
    const counts = Object.values(f.workerActivities);
    expect(counts).toHaveLength(2);
    for (const n of counts) expect(n).toBeGreaterThan(0);
  });
});
