import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DbClient } from './db/shared';

/**
 * Signed agency links. An agency has no account: the link in each of its e-mails carries a token that
 * lets it act on ONE obligation — one unit in one round of one program — until the token expires.
 *
 *   token = base64url(JSON claims) "." base64url(HMAC-SHA256(KYBAO_LINK_SECRET, "kybao-link.v1." + claims))
 *
 * The claims hold the unit's link epoch (Unit.linkEpoch); `kybao link revoke --unit X` adds one to it,
 * so every link signed before stops verifying, without a list of revoked tokens. Used by the worker's
 * mail builder (activities/notify.ts) and by the web app alike.
 */
export const LinkClaims = z.object({
  /** program id */
  p: z.string().min(1),
  /** round id */
  r: z.string().min(1),
  /** unit id */
  u: z.string().min(1),
  /** expiry, epoch ms */
  e: z.number().int().positive(),
  /** the unit's link epoch when signed */
  n: z.number().int().min(0),
});
export type LinkClaims = z.infer<typeof LinkClaims>;

const DOMAIN = 'kybao-link.v1.';

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(DOMAIN + payload).digest();
}

/** The token for these claims. Deterministic: the same claims and secret give the same token. */
export function signLink(secret: string, claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify(LinkClaims.parse(claims))).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** Why a token does not open the page it was presented for. */
export type LinkProblem = 'malformed' | 'bad-signature' | 'expired' | 'other-obligation' | 'revoked';

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; problem: LinkProblem };

/**
 * Checks a token's signature and expiry against `now` (epoch ms), and that it names `scope` (the round
 * and unit of the URL). Does not check revocation (that needs the database): see verifyLink.
 */
export function checkLinkToken(secret: string, token: string, scope: { roundId: string; unitId: string }, now: number): LinkCheck {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, problem: 'malformed' };
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'bad-signature' };
  let claims: LinkClaims;
  try {
    claims = LinkClaims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (claims.e <= now) return { ok: false, problem: 'expired' };
  if (claims.r !== scope.roundId || claims.u !== scope.unitId) return { ok: false, problem: 'other-obligation' };
  return { ok: true, claims };
}

/** checkLinkToken, then the unit's current epoch in the database (a revoked link fails here). */
export async function verifyLink(db: DbClient, secret: string, token: string, scope: { roundId: string; unitId: string }, now: number): Promise<LinkCheck> {
  const checked = checkLinkToken(secret, token, scope, now);
  if (!checked.ok) return checked;
  const unit = await db.unit.findUnique({ where: { programId_id: { programId: checked.claims.p, id: checked.claims.u } }, select: { linkEpoch: true } });
  if (!unit || unit.linkEpoch !== checked.claims.n) return { ok: false, problem: 'revoked' };
  return checked;
}

/** The unit's current link epoch (0 for a unit never revoked). */
export async function linkEpochOf(db: DbClient, programId: string, unitId: string): Promise<number> {
  const unit = await db.unit.findUnique({ where: { programId_id: { programId, id: unitId } }, select: { linkEpoch: true } });
  return unit?.linkEpoch ?? 0;
}

/** `<base>/rounds/<round>/units/<unit>?t=<token>`: the URL mails print and the agency page answers. */
export function agencyLinkUrl(baseUrl: string, roundId: string, unitId: string, token?: string): string {
  return `${baseUrl}/rounds/${encodeURIComponent(roundId)}/units/${encodeURIComponent(unitId)}${token ? `?t=${token}` : ''}`;
}

const DAY_MS = 86_400_000;

/** Expiry of a link: the unit's cut-off (its last escalation, epoch ms) plus `daysAfter` days. */
export function linkExpiry(cutoffMs: number, daysAfter: number): number {
  return cutoffMs + daysAfter * DAY_MS;
}
