import { Command, InvalidArgumentError, Option } from 'commander';
import { runFaultScenario, SCENARIOS, type Scenario } from './scenario';

/**
 * `npm run faults -- --scenario worker-sigkill --seed 7 --units 300`: runs fault scenarios on real
 * servers in real time (about 4 minutes each) and prints one summary line per scenario; exits 1 when any
 * scenario lost or duplicated mail, mis-recorded a receipt or closed a round with wrong counts.
 */
const whole = (name: string, min: number) => (v: string) => {
  if (!/^\d{1,9}$/.test(v) || Number(v) < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}, got "${v.slice(0, 40)}"`);
  return Number(v);
};

const program = new Command('faults')
  .description('Fault scenarios on a real dev server, worker processes and a loopback SMTP sink; one summary line each')
  .addOption(new Option('--scenario <NAME>', `one scenario, or all (two-workers-pg needs KYBAO_TEST_POSTGRES_URL)`).choices([...SCENARIOS, 'all']).default('all'))
  .addOption(new Option('--seed <N>', 'seed of the fault moments and the submitters').argParser(whole('--seed', 0)).default(1))
  .addOption(new Option('--units <N>', 'units in the two rounds together').argParser(whole('--units', 4)).default(300))
  .option('--keep', 'keep the scenario folder (databases, mail) for inspection')
  .option('--quiet', 'only the summary lines')
  .addHelpText(
    'after',
    `
Scenarios:
  worker-sigkill   the worker process killed with SIGKILL at seeded moments and restarted
  server-restart   the Temporal dev server stopped and restarted on the same database file
  smtp-refuse      the SMTP port closed (connections refused) for periods
  smtp-4xx         the SMTP server answering 451 for periods
  db-locked        the SQLite database locked by another writer for 3–14 s at a time
  pg-restart       the kybao database on a PostgreSQL server of its own, stopped (fast) for 2–10 s and started again
  two-workers-pg   two worker processes on PostgreSQL, one killed mid-round

Each prints e.g.
  fault=worker-sigkill seed=7 units=300 reminders_due=… escalations_due=… sent=… duplicates=0 lost=0 submissions=… recorded=… rounds_closed=2/2`,
  )
  .action(async (opts: { scenario: Scenario | 'all'; seed: number; units: number; keep?: boolean; quiet?: boolean }) => {
    const scenarios = opts.scenario === 'all' ? SCENARIOS.filter((s) => s !== 'two-workers-pg' || process.env.KYBAO_TEST_POSTGRES_URL) : [opts.scenario];
    let failed = false;
    for (const scenario of scenarios) {
      const f = await runFaultScenario({ scenario, seed: opts.seed, units: opts.units, keep: opts.keep, log: opts.quiet ? undefined : (l) => process.stderr.write(`[${scenario}] ${l}\n`) });
      if (!opts.quiet) for (const x of f.faults) process.stderr.write(`[${scenario}]   ${x}\n`);
      if (scenario === 'two-workers-pg' && !opts.quiet) process.stderr.write(`[${scenario}]   activities per worker: ${JSON.stringify(f.workerActivities)}\n`);
      console.log(f.line);
      const bad = f.duplicates > 0 || f.lost > 0 || f.recorded !== f.submissions || f.wrongMarks > 0 || f.roundsClosed !== f.rounds || !f.countsRight || f.problems.length > 0;
      if (bad) {
        failed = true;
        for (const p of f.problems) process.stderr.write(`[${scenario}] PROBLEM: ${p}\n`);
      }
    }
    process.exitCode = failed ? 1 : 0;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`faults: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
