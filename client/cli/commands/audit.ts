import { type Command, Option } from 'commander';
import type { AuditExportFlags, AuditReplayFlags, AuditTimelineFlags } from '../actions/audit';
import { parseYear, withConnectionOptions } from './common';

export function register(program: Command): void {
  const audit = program.command('audit').description('Workflow histories for auditors: export them, replay them against the code, read them as timelines');

  withConnectionOptions(
    audit
      .command('export')
      .description("Write a workflow's full history as JSON (the format Temporal's tools read), or with --all every workflow of a year into a folder")
      .argument('[workflowId]', 'e.g. round:qd-925-thai-binh:2026-Q4, cycle:qd-925-thai-binh:2026, program:qd-925-thai-binh')
      .option('--out <FILE|DIR>', 'file to write (default: stdout); with --all, the folder')
      .option('--run-id <ID>', 'a specific run (default: the latest)')
      .option('--all', 'every workflow of --year: its cycle, its rounds and the program run of that year')
      .addOption(new Option('--year <YYYY>', 'the year for --all').argParser(parseYear))
      .option('--json', 'print what was written as JSON'),
    { temporal: true, database: false },
  ).action(async (workflowId: string | undefined, opts: AuditExportFlags) => (await import('../actions/audit')).auditExport(workflowId, opts));

  audit
    .command('replay')
    .description(
      'Replay history files (or every *.json in a folder) against the current workflow code; prints "ok FILE" or the determinism error and the event where the code diverged; exit 1 if any failed',
    )
    .argument('<paths...>', 'history files or folders')
    .addOption(new Option('--workflows <PATH>', 'replay against this workflows module instead of workflows/index.ts').hideHelp())
    .option('--json', 'print the outcomes as JSON')
    .action(async (paths: string[], opts: AuditReplayFlags) => (await import('../actions/audit')).auditReplay(paths, opts));

  withConnectionOptions(
    audit
      .command('timeline')
      .description(
        'A human timeline of a round, cycle or program from its history: opening, every reminder and escalation with recipients, submissions, extensions, decisions and who made them, the close — in local time. Works on an exported file without a server',
      )
      .argument('<target>', 'a workflow id (fetched from Temporal) or a history file')
      .option('--run-id <ID>', 'a specific run (default: the latest)')
      .option('--program <FILE>', 'program definition for recipients when the history and database do not give it')
      .option('--no-database', 'do not read recipients from the database outbox; derive them from the program')
      .option('--max-recipients <N>', 'list at most N recipients under an entry', (v) => Number(v))
      .option('--json', 'print JSON'),
  ).action(async (target: string, opts: AuditTimelineFlags) => (await import('../actions/audit')).auditTimeline(target, opts));
}
