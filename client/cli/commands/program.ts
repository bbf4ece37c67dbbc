import { type Command, Option } from 'commander';
import { defaultProgramPath } from '../../../domain/program/default-path';
import type { LoadProgramFlags, ProgramStatusFlags, StartProgramFlags } from '../actions/program';
import { addProgramOptions, byOption, parseYear, withConnectionOptions } from './common';

/** Exit codes of `validate`: 1 = the file was read but is not a valid program; 2 = it could not be read or parsed at all. */
export function register(program: Command): void {
  const cmd = program.command('program').description('Program definitions (who reports what, and when) and the program workflow');
  cmd
    .command('validate')
    .description(
      'Check a program definition file (.yaml, .yml or .json) and list every problem as "path: reason"; exit 1 when it is invalid, 2 when it cannot be read',
    )
    .argument('<file>', 'program definition file')
    .action(async (file: string) => (await import('../actions/validate-program')).validateProgram(file));

  withConnectionOptions(
    cmd
      .command('load')
      .description('Validate a program file and load it into the database (idempotent: loading the same file again changes nothing)')
      .argument('[file]', 'program definition file', defaultProgramPath)
      .addOption(byOption('loads it'))
      .option('--json', 'print JSON'),
    { temporal: false, database: true },
  ).action(async (file: string, opts: LoadProgramFlags) => (await import('../actions/program')).loadProgramCommand(file, opts));

  withConnectionOptions(
    cmd
      .command('start')
      .description('Load a program into the database and start its program workflow (one yearly cycle per year of its period)')
      .addOption(new Option('--program <FILE>', 'program definition file').default(defaultProgramPath, 'the default program'))
      .addOption(new Option('--from-year <YYYY>', 'first year to run (default: the current year, or the first year of the period if it lies ahead)').argParser(parseYear))
      .addOption(byOption('starts it'))
      .option('--json', 'print JSON'),
  ).action(async (opts: StartProgramFlags) => (await import('../actions/program')).startProgram(opts));

  const status = cmd
    .command('status')
    .description("The program workflow: its period, finished years, and the current year's cycle phase and rounds")
    .option('--json', 'print JSON');
  addProgramOptions(status);
  withConnectionOptions(status).action(async (opts: ProgramStatusFlags) => (await import('../actions/program')).programStatus(opts));
}
