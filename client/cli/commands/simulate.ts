import { quoted } from '../../../domain/text/quoted';
import { type Command, Option } from 'commander';
import { defaultProgramPath } from '../../../domain/program/default-path';
import type { SimulateFlags } from '../actions/simulate';
import { parseYear } from './common';

export function register(program: Command): void {
  program
    .command('simulate')
    .description(
      'Run a cycle year (or the whole program) on the time-skipping test server with simulated units (on time, late, never, estimates returned); print the compliance matrix, the mail per kind and the appraisal outcome',
    )
    .addOption(new Option('--program <FILE>', 'program definition file').default(defaultProgramPath, 'the default program'))
    .addOption(new Option('--year <YYYY>', 'the cycle year to run (default: the first year of the period)').argParser(parseYear).conflicts('all'))
    .option('--all', 'every year of the program period, through the program workflow')
    .addOption(new Option('--seed <N>', 'seed for the simulated behaviour (same seed, same run)').default(1).argParser((v) => {
      // Digits only: Number('') and Number(' ') are 0, which must not pass for a seed.
      const n = Number(v);
      if (!/^\d{1,15}$/.test(v) || !Number.isSafeInteger(n)) throw new Error(`--seed ${quoted(v)}: give a whole number of at most 15 digits, e.g. --seed 7`);
      return n;
    }))
    .option('--keep', 'keep the temporary database and mail folder')
    .addOption(
      new Option('--reports <DIR>', "where the compiled reports (.docx, .xlsx: each round's, the year's, a review's) are written, relative to the repository").default(
        '.data/reports/simulation',
      ),
    )
    .option('--quiet', 'no progress lines')
    .option('--json', 'print JSON')
    .action(async (opts: SimulateFlags) => (await import('../actions/simulate')).simulateCommand(opts));
}
