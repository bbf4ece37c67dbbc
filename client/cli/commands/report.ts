import { type Command, Option } from 'commander';
import type { ReportEditFlags, ReportIssueFlags, ReportListFlags, ReportShowFlags } from '../actions/report';
import { addProgramOptions, byOption, parseYear, withConnectionOptions } from './common';

/** A positive whole number for --number (the register of outgoing documents). */
function parseNumber(value: string): number {
  if (!/^\d{1,5}$/.test(value.trim()) || Number(value) < 1) throw new Error(`--number: "${value}" is not a register number; give a whole number from 1 to 99999`);
  return Number(value);
}

export function register(program: Command): void {
  const report = program.command('report').description("The coordinator's compiled reports: list, read, edit the draft, compile it again, issue it");

  const list = report
    .command('list')
    .description('List the compiled reports of a program (draft or issued, due when, number)')
    .addOption(new Option('--year <YYYY>', 'only reports covering this year').argParser(parseYear))
    .option('--json', 'print JSON');
  addProgramOptions(list);
  withConnectionOptions(list).action(async (opts: ReportListFlags) => (await import('../actions/report')).listReports(opts));

  const show = report
    .command('show')
    .description('Show one compiled report: texts, compliance, due instant, number, documents, notices sent')
    .argument('<REPORT>', 'report id ("qd-925-thai-binh:2015-Q1") or its key ("2015-Q1")')
    .option('--json', 'print JSON');
  addProgramOptions(show);
  withConnectionOptions(show).action(async (id: string, opts: ReportShowFlags) => (await import('../actions/report')).showReport(id, opts));

  const edit = report
    .command('edit')
    .description("Edit a draft's introduction and/or conclusions (refused once issued, or while it is being issued)")
    .argument('<REPORT>', 'report id or key')
    .addOption(new Option('--introduction <TEXT>', 'the new introduction').conflicts('introductionFile'))
    .addOption(new Option('--introduction-file <FILE>', 'read the introduction from a UTF-8 text file'))
    .addOption(new Option('--conclusions <TEXT>', 'the new conclusions').conflicts('conclusionsFile'))
    .addOption(new Option('--conclusions-file <FILE>', 'read the conclusions from a UTF-8 text file'))
    .addOption(byOption('edits it'))
    .option('--json', 'print JSON');
  addProgramOptions(edit);
  withConnectionOptions(edit).action(async (id: string, opts: ReportEditFlags) => (await import('../actions/report')).editReport(id, opts));

  const recompile = report
    .command('recompile')
    .description('Compile a draft again from the submissions now stored (late reports received after the close)')
    .argument('<REPORT>', 'report id or key')
    .addOption(byOption('recompiles it'))
    .option('--json', 'print JSON');
  addProgramOptions(recompile);
  withConnectionOptions(recompile).action(async (id: string, opts: ReportShowFlags & { by?: string }) => (await import('../actions/report')).recompileReport(id, opts));

  const issue = report
    .command('issue')
    .description('Issue a draft with its number in the register of outgoing documents; it is then rendered and sent to its addressees')
    .argument('<REPORT>', 'report id or key')
    .requiredOption('--number <N>', 'register number for the year (1–99999; unique per program and year)', parseNumber)
    .option('--signer-name <NAME>', "signer's full name (default: the program's compilation.signer.name)")
    .option('--signer-title <LINES>', 'signer\'s position, lines separated by "|", e.g. "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC" (default: the program\'s)')
    .option('--issued-at <INSTANT>', 'ISO instant with offset (default: now)')
    .addOption(byOption('issues it'))
    .option('--json', 'print JSON');
  addProgramOptions(issue);
  withConnectionOptions(issue).action(async (id: string, opts: ReportIssueFlags) => (await import('../actions/report')).issueReport(id, opts));
}
