import { type Command } from 'commander';
import type { LinkIssueFlags, LinkRevokeFlags } from '../actions/link';
import { addProgramOptions, byOption, withConnectionOptions } from './common';

export function register(program: Command): void {
  const link = program.command('link').description("Agencies' signed links (each opens one unit's page in one round, until it expires)");

  const revoke = link
    .command('revoke')
    .description('Make every link of a unit signed so far stop working (e.g. a mail went to the wrong person); later mails carry new links')
    .requiredOption('--unit <ID>', 'unit id')
    .addOption(byOption('revokes them'))
    .option('--json', 'print JSON');
  addProgramOptions(revoke);
  withConnectionOptions(revoke, { temporal: false, database: true }).action(async (opts: LinkRevokeFlags) => (await import('../actions/link')).linkRevoke(opts));

  const issue = link
    .command('issue')
    .description("Print a unit's signed link for a round, as its mails carry it (needs KYBAO_LINK_SECRET and KYBAO_BASE_URL)")
    .requiredOption('--round <ROUND>', 'round key (2026-Q4), id or workflow id')
    .requiredOption('--unit <ID>', 'unit id')
    .option('--json', 'print JSON');
  addProgramOptions(issue);
  withConnectionOptions(issue, { temporal: false, database: true }).action(async (opts: LinkIssueFlags) => (await import('../actions/link')).linkIssue(opts));
}
