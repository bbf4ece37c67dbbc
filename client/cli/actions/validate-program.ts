import { readProgramFile } from '../../../domain/program/load-file';

// Apart from ./program.ts so that checking a file offline does not load the Temporal client.

/** `kybao program validate FILE`: exit 1 = read but not a valid program; 2 = could not be read or parsed. */
export function validateProgram(file: string): void {
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
}
