import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { appendAudit } from '../infra/db/audit-repository';
import type { Db } from '../infra/db/client';
import { isUniqueViolation } from '../infra/db/shared';
import type { Clock } from './context';
import { AppError } from './errors';
import { StaffRole } from './roles';
import { cleanText } from './text';
import { quoted } from '../domain/text/quoted';

/**
 * Staff accounts and their sign-ins. Passwords are hashed with argon2id (memory-hard: 19 MiB, 2 passes,
 * the OWASP minimum) and never stored or logged; a session is a random 256-bit token whose SHA-256 is
 * the StaffSession row's id, so the database never holds a usable token either.
 */
export const UserView = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string().nullable(),
  role: StaffRole,
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof UserView>;

const MIN_PASSWORD = 10;

function normaliseEmail(email: string): string {
  const e = email.normalize('NFC').trim().toLowerCase();
  if (!z.email().safeParse(e).success) throw new AppError('invalid', `"${email}" is not an e-mail address; write name@domain`, 'email');
  return e;
}

function toView(u: { id: number; email: string; name: string | null; role: string; disabled: boolean; createdAt: Date }): UserView {
  return { id: u.id, email: u.email, name: u.name, role: u.role as StaffRole, disabled: u.disabled, createdAt: u.createdAt.toISOString() };
}

export async function addUser(db: Db, input: { email: string; role: string; name?: string; password: string; by: string }, clock: Clock): Promise<UserView> {
  const email = normaliseEmail(input.email);
  const role = StaffRole.safeParse(input.role);
  if (!role.success) throw new AppError('invalid', `${quoted(input.role)} is not a role; use one of ${StaffRole.options.join(', ')}`, 'role');
  const password = input.password.normalize('NFC');
  if ([...password].length < MIN_PASSWORD) throw new AppError('invalid', `the password is too short: use at least ${MIN_PASSWORD} characters`, 'password');
  const passwordHash = await hash(password);
  const now = new Date(clock.now());
  try {
    return await db.$transaction(async (tx) => {
      const row = await tx.staffUser.create({ data: { email, name: cleanText(input.name) ?? null, role: role.data, passwordHash, createdAt: now, updatedAt: now } });
      await appendAudit(tx, { at: now, actor: input.by, action: 'user.added', details: { email, role: role.data } });
      return toView(row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('refused', `a user ${email} exists already (see "kybao user list")`, 'email');
    throw err;
  }
}

export async function listUsers(db: Db): Promise<UserView[]> {
  return (await db.staffUser.findMany({ orderBy: { email: 'asc' } })).map(toView);
}

/** Disables an account and ends its sessions. */
export async function disableUser(db: Db, input: { email: string; by: string }, clock: Clock): Promise<UserView> {
  const email = normaliseEmail(input.email);
  const now = new Date(clock.now());
  return db.$transaction(async (tx) => {
    const user = await tx.staffUser.findUnique({ where: { email } });
    if (!user) throw new AppError('not-found', `no user ${email} (see "kybao user list")`, 'email');
    const row = await tx.staffUser.update({ where: { id: user.id }, data: { disabled: true, updatedAt: now } });
    await tx.staffSession.deleteMany({ where: { userId: user.id } });
    await appendAudit(tx, { at: now, actor: input.by, action: 'user.disabled', details: { email } });
    return toView(row);
  });
}

export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// A hash to verify against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
let decoy: Promise<string> | undefined;

/** Checks e-mail and password; returns a new session token (shown once, to be put in a cookie). */
export async function signIn(db: Db, input: { email: string; password: string; hours: number }, clock: Clock): Promise<{ token: string; user: UserView; expiresAt: string }> {
  const email = input.email.normalize('NFC').trim().toLowerCase();
  const user = await db.staffUser.findUnique({ where: { email } });
  decoy ??= hash(randomBytes(16).toString('hex'));
  const ok = await verify(user?.passwordHash ?? (await decoy), input.password.normalize('NFC')).catch(() => false);
  if (!user || !ok || user.disabled) throw new AppError('unauthorized', 'wrong e-mail or password (or the account is disabled)', 'password');
  const token = randomBytes(32).toString('base64url');
  const now = clock.now();
  const expiresAt = new Date(now + input.hours * 3_600_000);
  await db.$transaction(async (tx) => {
    await tx.staffSession.create({ data: { id: sessionIdOf(token), userId: user.id, createdAt: new Date(now), expiresAt } });
    await appendAudit(tx, { at: new Date(now), actor: user.email, action: 'user.signed-in', details: { role: user.role } });
  });
  return { token, user: toView(user), expiresAt: expiresAt.toISOString() };
}

/** The signed-in user of a session token, or null (unknown, expired, or the account disabled). */
export async function sessionUser(db: Db, token: string, clock: Clock): Promise<UserView | null> {
  const session = await db.staffSession.findUnique({ where: { id: sessionIdOf(token) }, include: { user: true } });
  if (!session || session.expiresAt.getTime() <= clock.now() || session.user.disabled) return null;
  return toView(session.user);
}

export async function signOut(db: Db, token: string, clock: Clock): Promise<void> {
  const id = sessionIdOf(token);
  const session = await db.staffSession.findUnique({ where: { id }, include: { user: true } });
  if (!session) return;
  await db.$transaction(async (tx) => {
    await tx.staffSession.deleteMany({ where: { id } });
    await appendAudit(tx, { at: new Date(clock.now()), actor: session.user.email, action: 'user.signed-out', details: {} });
  });
}
