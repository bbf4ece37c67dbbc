import type { FastifyReply, FastifyRequest } from 'fastify';
import { verifyLink, type LinkClaims, type LinkProblem } from '../../infra/links';
import type { AppClients } from '../../app/context';
import { AppError } from '../../app/errors';
import { allows, type Permission } from '../../app/roles';
import { sessionUser, type UserView } from '../../app/users';

/**
 * Who is asking. Staff present a session token (the `kybao_session` cookie for pages, or
 * `Authorization: Bearer <token>` for the API); an agency presents its link token (`?t=`, the
 * `kybao_agency` cookie scoped to its page, or `Authorization: Bearer <link token>`).
 */
export const SESSION_COOKIE = 'kybao_session';
export const AGENCY_COOKIE = 'kybao_agency';

export interface Caller {
  staff: UserView | null;
  /** how the staff session came: cookies need CSRF on state changes, bearer tokens do not */
  via: 'cookie' | 'bearer' | null;
  sessionToken: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    agency: LinkClaims | null;
  }
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  return h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : null;
}

/** A link token has a payload and a signature; a session token is one base64url word. */
const looksLikeLink = (token: string) => token.includes('.');

export async function identify(c: AppClients, req: FastifyRequest): Promise<Caller> {
  const b = bearer(req);
  if (b && !looksLikeLink(b)) {
    return { staff: await sessionUser(c.db, b, c.clock), via: 'bearer', sessionToken: b };
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (cookie) return { staff: await sessionUser(c.db, cookie, c.clock), via: 'cookie', sessionToken: cookie };
  return { staff: null, via: null, sessionToken: null };
}

const LINK_MESSAGE: Record<LinkProblem, { code: 'unauthorized' | 'forbidden'; message: string }> = {
  malformed: { code: 'unauthorized', message: 'this link is damaged; open it again from the e-mail, whole' },
  'bad-signature': { code: 'unauthorized', message: 'this link is not one kybao signed; open it again from the e-mail, whole' },
  expired: { code: 'unauthorized', message: 'this link has expired; ask the coordinator for a new one' },
  'other-obligation': { code: 'forbidden', message: 'this link is for another unit or another round; use the link from the e-mail about this report' },
  revoked: { code: 'forbidden', message: 'this link has been revoked; use the link in the latest e-mail, or ask the coordinator' },
};

/** The link token a request carries, and where from. */
export function linkTokenOf(req: FastifyRequest): { token: string; from: 'query' | 'bearer' | 'cookie' } | null {
  const q = (req.query as { t?: unknown } | undefined)?.t;
  if (typeof q === 'string' && q) return { token: q, from: 'query' };
  const b = bearer(req);
  if (b && looksLikeLink(b)) return { token: b, from: 'bearer' };
  const cookie = req.cookies[AGENCY_COOKIE];
  if (cookie) return { token: cookie, from: 'cookie' };
  return null;
}

/** Verifies the agency's link for the route's round and unit; throws 401/403 as AppError. */
export async function requireAgency(c: AppClients, req: FastifyRequest): Promise<LinkClaims> {
  const params = req.params as { roundId?: string; unitId?: string };
  const found = linkTokenOf(req);
  if (!found) throw new AppError('unauthorized', 'open this page from the link in your e-mail (it carries your access)', 't');
  if (!c.env.KYBAO_LINK_SECRET) throw new AppError('unavailable', 'agency links are not configured on this server (KYBAO_LINK_SECRET)');
  const checked = await verifyLink(c.db, c.env.KYBAO_LINK_SECRET, found.token, { roundId: params.roundId ?? '', unitId: params.unitId ?? '' }, c.clock.now());
  if (!checked.ok) {
    const m = LINK_MESSAGE[checked.problem];
    throw new AppError(m.code, m.message, 't');
  }
  req.agency = checked.claims;
  return checked.claims;
}

/** The signed-in staff member with `permission`; 401 when nobody is signed in, 403 for another role. */
export function requireStaff(req: FastifyRequest, permission: Permission): UserView {
  const staff = req.caller.staff;
  if (!staff) throw new AppError('unauthorized', 'sign in first', 'session');
  if (!allows(staff.role, permission)) throw new AppError('forbidden', `a ${staff.role} may not do this (${permission})`);
  return staff;
}

/** Sets a cookie with kybao's defaults: httpOnly, SameSite, Secure when the site is served over https. */
export function setCookie(reply: FastifyReply, c: AppClients, name: string, value: string, options: { path?: string; maxAgeSeconds: number; sameSite?: 'strict' | 'lax' }): void {
  reply.setCookie(name, value, {
    path: options.path ?? '/',
    httpOnly: true,
    sameSite: options.sameSite ?? 'strict',
    secure: c.env.KYBAO_BASE_URL.startsWith('https://'),
    maxAge: options.maxAgeSeconds,
  });
}
