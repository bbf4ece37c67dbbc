/**
 * Helpers shared by the repositories. Repositories take a client (or a transaction client, so callers
 * can compose several writes in one transaction) and return plain, JSON-safe objects: instants as ISO
 * strings, money as decimal strings, milliseconds as numbers. That way a repository's result can be an
 * activity's result without a payload-converter surprise (Dates and BigInts do not survive JSON).
 */
import type { Db, DbTransaction } from './client';

/** A client or the client inside `$transaction`. */
export type DbClient = Db | DbTransaction;

/** Instants accepted by the repositories. */
export type Instant = Date | string;

/** A row or argument the repositories refuse: names the field and what is allowed. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** The row the caller refers to does not exist. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** The row exists but is in a state that does not allow the change (e.g. appraising a superseded estimate). */
export class InvalidStateError extends Error {
  override name = 'InvalidStateError';
}

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

/**
 * Runs `fn` in a transaction, or directly in the caller's transaction when given one (Prisma has no
 * nested transactions: the outer one decides).
 */
export function inTransaction<T>(db: DbClient, fn: (tx: DbTransaction) => Promise<T>): Promise<T> {
  if ('$transaction' in db && typeof db.$transaction === 'function') {
    return (db as Db).$transaction(fn, TRANSACTION_OPTIONS);
  }
  return fn(db as DbTransaction);
}

/** True for a unique-constraint violation (Prisma P2002), whichever generated client threw it. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

export function toDate(value: Instant, field: string): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidInputError(`${field}: not a valid instant (${String(value)}); use an ISO 8601 string or a Date`);
  }
  return date;
}

export function optionalDate(value: Instant | null | undefined, field: string): Date | null {
  return value === null || value === undefined ? null : toDate(value, field);
}

export function iso(date: Date): string {
  return date.toISOString();
}

export function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function toJsonText(value: unknown, field: string): string {
  const text = JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (text === undefined) throw new InvalidInputError(`${field}: cannot be stored as JSON`);
  return text;
}

export function fromJsonText<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InvalidInputError(`${field}: "${value}" is not allowed; use one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function nonEmpty(value: string | undefined | null, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidInputError(`${field} is required`);
  return value;
}

/** Whole VND: a bigint, a safe integer number, or a string of digits. */
export function toVnd(value: bigint | number | string, field: string): bigint {
  let amount: bigint;
  if (typeof value === 'bigint') amount = value;
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new InvalidInputError(`${field}: ${value} is not a whole number of đồng`);
    amount = BigInt(value);
  } else if (/^\d+$/.test(value.trim())) amount = BigInt(value.trim());
  else throw new InvalidInputError(`${field}: "${value}" is not a whole number of đồng (digits only, no separators)`);
  if (amount < 0n) throw new InvalidInputError(`${field}: must not be negative`);
  return amount;
}

/** Milliseconds stored as BigInt (a month is more than 2^31 ms) to a number; safe below 285,000 years. */
export function msToNumber(value: bigint | null): number | null {
  return value === null ? null : Number(value);
}

/** Retries `fn` when it loses a race on a unique key (e.g. two submissions taking the same version). */
export async function retryOnUniqueViolation<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (!isUniqueViolation(error) || i >= attempts) throw error;
    }
  }
}
