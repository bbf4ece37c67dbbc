import { type Command } from 'commander';
import { issueLink, revokeLinks } from '../../../app/links';
import { systemClock } from '../../../app/context';
import { settingsFrom, withConnectionOptions, withDatabase, type ConnectionFlags } from '../connection';
import { localTime, print, printJson } from '../output';
import { actorOf, addProgramOptions, byOption, resolveProgram, roundIdFrom, type ProgramFlags } from './common';
import { readEnv } from '../../../infra/config';

export function register(program: Command): void {
  const link = program.command('link').description("Agencies' signed links (each opens one unit's page in one round, until it expires)");

  const revoke = link
    .command('revoke')
    .description('Make every link of a unit signed so far stop working (e.g. a mail went to the wrong person); later mails carry new links')
    .requiredOption('--unit <ID>', 'unit id')
    .addOption(byOption('revokes them'))
    .option('--json', 'print JSON');
  addProgramOptions(revoke);
  withConnectionOptions(revoke, { temporal: false, database: true }).action(async (opts: ConnectionFlags & ProgramFlags & { unit: string; by?: string; json?: boolean }) => {
    const env = settingsFrom(opts);
    const r = await withDatabase(env, async (db) => revokeLinks(db, { program: await resolveProgram(db, opts), unitId: opts.unit, by: actorOf(opts.by) }, systemClock));
    if (opts.json) return printJson(r);
    print(`links of ${r.unitId} revoked (epoch ${r.epoch}): links signed before no longer open anything`);
  });

  const issue = link
    .command('issue')
    .description("Print a unit's signed link for a round, as its mails carry it (needs KYBAO_LINK_SECRET and KYBAO_BASE_URL)")
    .requiredOption('--round <ROUND>', 'round key (2026-Q4), id or workflow id')
    .requiredOption('--unit <ID>', 'unit id')
    .option('--json', 'print JSON');
  addProgramOptions(issue);
  withConnectionOptions(issue, { temporal: false, database: true }).action(async (opts: ConnectionFlags & ProgramFlags & { round: string; unit: string; json?: boolean }) => {
    const env = settingsFrom(opts);
    // settingsFrom drops web settings; the link needs the secret and base URL from the environment.
    const full = { ...env, KYBAO_LINK_SECRET: readEnv().KYBAO_LINK_SECRET };
    const out = await withDatabase(env, async (db) => {
      const def = await resolveProgram(db, opts);
      return { ...(await issueLink(db, full, def, roundIdFrom(opts.round, def.id), opts.unit)), zone: def.timeZone };
    });
    if (opts.json) return printJson({ url: out.url, expiresAt: out.expiresAt });
    print(`${out.url}\n(valid until ${localTime(out.expiresAt, out.zone)})`);
  });
}
