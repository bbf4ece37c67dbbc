import { z } from 'zod';
import { STAFF_ROLES } from './staff-roles';

/**
 * Who may do what. Staff roles come from the operator (`kybao user add --role`); an agency is whoever
 * holds a valid signed link for one unit in one round. Auditors read everything and change nothing.
 */
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

export type Role = StaffRole | 'agency';

/** The actions the web app guards, and the roles allowed each. */
export const PERMISSIONS = {
  'obligation.view': ['agency'],
  'report.submit': ['agency'],
  'extension.request': ['agency'],
  'status.view': ['coordinator', 'auditor'],
  'round.adhoc': ['coordinator'],
  'extension.decide': ['coordinator'],
  'reminder.resend': ['coordinator'],
  'round.archive': ['coordinator', 'auditor'],
  'mail.view': ['coordinator', 'auditor'],
  'link.issue': ['coordinator'],
  'estimate.view': ['appraiser', 'approver', 'auditor'],
  'estimate.decide': ['appraiser'],
  'plan.view': ['approver', 'coordinator', 'auditor'],
  'plan.approve': ['approver'],
  'audit.read': ['auditor'],
  'report.view': ['coordinator', 'auditor'],
  'report.edit': ['coordinator'],
  'report.issue': ['coordinator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function allows(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
