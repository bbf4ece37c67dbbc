/**
 * The staff roles, as plain values: the single list app/roles.ts builds its schema from, apart from it so
 * that `kybao user --help` can name them without loading zod (issue #14: command line start-up).
 */
export const STAFF_ROLES = ['coordinator', 'appraiser', 'approver', 'auditor'] as const;
