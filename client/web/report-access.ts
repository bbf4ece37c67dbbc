import type { FastifyRequest } from 'fastify';
import { AppError } from '../../app/errors';
import type { Permission } from '../../app/roles';
import type { UserView } from '../../app/users';
import { linkTokenOf, requireStaff } from './auth';

/**
 * Compiled reports are staff business: the coordinator's and the auditors' (app/roles.ts, report.*).
 * An agency's link opens its own unit's page only, so a request that carries a link token and no staff
 * session is refused as forbidden (403), not asked to sign in; without either it is 401.
 */
export function requireReportReader(req: FastifyRequest, permission: Permission): UserView {
  if (!req.caller.staff && linkTokenOf(req))
    throw new AppError('forbidden', 'an agency link opens only its own unit’s page; compiled reports are read by the coordinator and auditors');
  return requireStaff(req, permission);
}
