import { appendAudit } from '../infra/db/audit-repository';
import type { Db } from '../infra/db/client';
import { getObligation, getRound } from '../infra/db/round-repository';
import { agencyLinkUrl, linkEpochOf, linkExpiry, signLink } from '../infra/links';
import { noticeRulesOf, planNotices } from '../domain/calendar/notices';
import type { Program } from '../domain/program/schema';
import type { Env } from '../infra/config';
import type { Clock } from './context';
import { AppError } from './errors';
import { requireUnit } from './programs';

/**
 * Agency links by hand: the coordinator (or the main job's banner) issues the link a mail would carry,
 * and `kybao link revoke --unit X` makes every link of a unit signed so far stop working (its epoch
 * goes up; infra/links.ts).
 */
export async function issueLink(db: Db, env: Env, program: Program, roundId: string, unitId: string): Promise<{ url: string; expiresAt: string }> {
  if (!env.KYBAO_LINK_SECRET) throw new AppError('unavailable', 'KYBAO_LINK_SECRET is not set; links cannot be signed', 'KYBAO_LINK_SECRET');
  requireUnit(program, unitId);
  const round = await getRound(db, roundId);
  if (!round) throw new AppError('not-found', `no round ${roundId} in the database`, 'roundId');
  const o = await getObligation(db, roundId, unitId);
  if (!o) throw new AppError('not-found', `unit "${unitId}" has no obligation in round ${roundId}`, 'unitId');
  const dueAt = Date.parse(o.dueAt);
  const cutoff = Math.max(dueAt, planNotices(dueAt, noticeRulesOf(program)).escalations.at(-1)?.atMs ?? dueAt);
  const e = linkExpiry(cutoff, env.KYBAO_LINK_DAYS_AFTER_CUTOFF);
  const token = signLink(env.KYBAO_LINK_SECRET, { p: program.id, r: roundId, u: unitId, e, n: await linkEpochOf(db, program.id, unitId) });
  return { url: agencyLinkUrl(env.KYBAO_BASE_URL, roundId, unitId, token), expiresAt: new Date(e).toISOString() };
}

/** Every link of the unit signed so far stops working; mails sent from now on carry new ones. */
export async function revokeLinks(db: Db, input: { program: Program; unitId: string; by: string }, clock: Clock): Promise<{ unitId: string; epoch: number }> {
  requireUnit(input.program, input.unitId);
  return db.$transaction(async (tx) => {
    const row = await tx.unit.update({ where: { programId_id: { programId: input.program.id, id: input.unitId } }, data: { linkEpoch: { increment: 1 } } });
    await appendAudit(tx, { at: new Date(clock.now()), actor: input.by, action: 'links.revoked', unitId: input.unitId, details: { programId: input.program.id, epoch: row.linkEpoch } });
    return { unitId: input.unitId, epoch: row.linkEpoch };
  });
}
