import { issueLink, revokeLinks } from '../../../app/links';
import { systemClock } from '../../../app/context';
import { readEnv } from '../../../infra/config';
import { settingsFrom, withDatabase, type ConnectionFlags } from '../connection';
import { localTime, print, printJson } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { resolveProgram, roundIdFrom } from './common';

export interface LinkRevokeFlags extends ConnectionFlags, ProgramFlags {
  unit: string;
  by?: string;
  json?: boolean;
}

/** `kybao link revoke`: every link of a unit signed so far stops working. */
export async function linkRevoke(opts: LinkRevokeFlags): Promise<void> {
  const env = settingsFrom(opts);
  const r = await withDatabase(env, async (db) => revokeLinks(db, { program: await resolveProgram(db, opts), unitId: opts.unit, by: actorOf(opts.by) }, systemClock));
  if (opts.json) return printJson(r);
  print(`links of ${r.unitId} revoked (epoch ${r.epoch}): links signed before no longer open anything`);
}

export interface LinkIssueFlags extends ConnectionFlags, ProgramFlags {
  round: string;
  unit: string;
  json?: boolean;
}

/** `kybao link issue`: a unit's signed link for a round, as its mails carry it. */
export async function linkIssue(opts: LinkIssueFlags): Promise<void> {
  const env = settingsFrom(opts);
  // settingsFrom drops web settings; the link needs the secret and base URL from the environment.
  const full = { ...env, KYBAO_LINK_SECRET: readEnv().KYBAO_LINK_SECRET };
  const out = await withDatabase(env, async (db) => {
    const def = await resolveProgram(db, opts);
    return { ...(await issueLink(db, full, def, roundIdFrom(opts.round, def.id), opts.unit)), zone: def.timeZone };
  });
  if (opts.json) return printJson({ url: out.url, expiresAt: out.expiresAt });
  print(`${out.url}\n(valid until ${localTime(out.expiresAt, out.zone)})`);
}
