import { Command } from 'commander';
import { readProgramFile } from '../../../domain/program/load-file';

/** Exit codes: 1 = the file was read but is not a valid program; 2 = it could not be read or parsed at all. */
export function register(program: Command): void {
  const cmd = program.command('program').description('Work with program definition files (who reports what, and when)');
  cmd
    .command('validate')
    .description(
      'Check a program definition file (.yaml, .yml or .json) and list every problem as "path: reason"; exit 1 when it is invalid, 2 when it cannot be read',
    )
    .argument('<file>', 'program definition file')
    .action((file: string) => {
      const result = readProgramFile(file);
      if (result.ok) {
        const p = result.program;
        process.stdout.write(
          `${file}: ok (${p.units.length} units, ${p.tasks.length} tasks, ${p.period.firstYear}–${p.period.lastYear})\n`,
        );
        return;
      }
      if ('unreadable' in result) {
        for (const problem of result.problems) process.stderr.write(`${problem}\n`);
        process.exitCode = 2;
        return;
      }
      for (const problem of result.problems) process.stderr.write(`${file}: ${problem}\n`);
      process.stderr.write(`${file}: ${result.problems.length} problem(s); fix them and validate again\n`);
      process.exitCode = 1;
    });
}
