/**
 * The notification outbox. A workflow decides to send an e-mail; an activity enqueues it here under an
 * idempotency key that names the decision (e.g. "reminder:925-2015-Q1:so-tttt:T-3"); the mail activity
 * delivers queued rows and marks them sent or failed. Enqueueing the same key again — an activity retry,
 * a workflow replay after a crash — returns the row already there, so each decision sends at most one
 * e-mail. Each change appends an audit row in the same transaction (the auditor's "who was told what").
 */
import { appendAudit } from './audit-repository';
import type { DbClient, Instant } from './shared';
import {
  InvalidInputError,
  NotFoundError,
  fromJsonText,
  inTransaction,
  isUniqueViolation,
  iso,
  isoOrNull,
  nonEmpty,
  oneOf,
  toDate,
  toJsonText,
} from './shared';

export const NOTIFICATION_STATUSES = ['queued', 'sent', 'failed'] as const;
export type NotificationStatusValue = (typeof NOTIFICATION_STATUSES)[number];

export interface Recipient {
  email: string;
  name?: string | null;
  /** e.g. reporting, head, coordinator */
  role?: string | null;
}

export interface NotificationRecord {
  id: number;
  idempotencyKey: string;
  roundId: string | null;
  unitId: string | null;
  kind: string;
  step: string | null;
  recipients: Recipient[];
  language: 'vi' | 'en';
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  status: NotificationStatusValue;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface EnqueueNotificationInput {
  idempotencyKey: string;
  roundId?: string | null;
  unitId?: string | null;
  /** reminder | escalation | receipt | extension | round-opened | round-closed | … */
  kind: string;
  step?: string | null;
  recipients: Recipient[];
  language: 'vi' | 'en';
  subject: string;
  bodyText: string;
  bodyHtml?: string | null;
  /** Default now. */
  createdAt?: Instant;
  actor?: string;
}

type NotificationRow = {
  id: number;
  idempotencyKey: string;
  roundId: string | null;
  unitId: string | null;
  kind: string;
  step: string | null;
  recipients: string;
  language: string;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
};

function toNotification(row: NotificationRow): NotificationRecord {
  return {
    id: row.id,
    idempotencyKey: row.idempotencyKey,
    roundId: row.roundId,
    unitId: row.unitId,
    kind: row.kind,
    step: row.step,
    recipients: fromJsonText<Recipient[]>(row.recipients) ?? [],
    language: row.language as 'vi' | 'en',
    subject: row.subject,
    bodyText: row.bodyText,
    bodyHtml: row.bodyHtml,
    status: row.status as NotificationStatusValue,
    attempts: row.attempts,
    lastError: row.lastError,
    messageId: row.messageId,
    createdAt: iso(row.createdAt),
    sentAt: isoOrNull(row.sentAt),
  };
}

/**
 * Queues an e-mail once per idempotency key. `created` is false when the key was already queued (in
 * any status): the existing row is returned unchanged, even if the new input differs.
 */
export async function enqueueNotification(
  db: DbClient,
  input: EnqueueNotificationInput,
): Promise<{ notification: NotificationRecord; created: boolean }> {
  const idempotencyKey = nonEmpty(input.idempotencyKey, 'idempotencyKey');
  const language = oneOf(input.language, ['vi', 'en'] as const, 'language');
  if (!Array.isArray(input.recipients) || input.recipients.length === 0) {
    throw new InvalidInputError('recipients: at least one recipient is required');
  }
  input.recipients.forEach((r, i) => nonEmpty(r.email, `recipients[${i}].email`));
  const createdAt = input.createdAt === undefined ? new Date() : toDate(input.createdAt, 'createdAt');

  const existing = await db.notification.findUnique({ where: { idempotencyKey } });
  if (existing) return { notification: toNotification(existing), created: false };
  try {
    const row = await inTransaction(db, async (tx) => {
      const created = await tx.notification.create({
        data: {
          idempotencyKey,
          roundId: input.roundId ?? null,
          unitId: input.unitId ?? null,
          kind: nonEmpty(input.kind, 'kind'),
          step: input.step ?? null,
          recipients: toJsonText(input.recipients, 'recipients'),
          language,
          subject: nonEmpty(input.subject, 'subject'),
          bodyText: input.bodyText,
          bodyHtml: input.bodyHtml ?? null,
          status: 'queued',
          attempts: 0,
          createdAt,
          updatedAt: createdAt,
        },
      });
      await appendAudit(tx, {
        at: createdAt,
        actor: input.actor ?? 'system',
        action: 'notification.queued',
        roundId: created.roundId,
        unitId: created.unitId,
        details: {
          notificationId: created.id,
          idempotencyKey,
          kind: created.kind,
          step: created.step,
          to: input.recipients.map((r) => r.email),
          subject: created.subject,
        },
      });
      return created;
    });
    return { notification: toNotification(row), created: true };
  } catch (error) {
    // Lost a race with a concurrent enqueue of the same key: theirs is the row.
    if (!isUniqueViolation(error)) throw error;
    const row = await db.notification.findUnique({ where: { idempotencyKey } });
    if (!row) throw error;
    return { notification: toNotification(row), created: false };
  }
}

export async function getNotification(db: DbClient, ref: { id: number } | { idempotencyKey: string }): Promise<NotificationRecord | null> {
  const row = await db.notification.findUnique({ where: 'id' in ref ? { id: ref.id } : { idempotencyKey: ref.idempotencyKey } });
  return row ? toNotification(row) : null;
}

/** Queued notifications, oldest first. */
export async function pendingNotifications(
  db: DbClient,
  options: { limit?: number; roundId?: string } = {},
): Promise<NotificationRecord[]> {
  const rows = await db.notification.findMany({
    where: { status: 'queued', ...(options.roundId !== undefined ? { roundId: options.roundId } : {}) },
    orderBy: { id: 'asc' },
    take: options.limit ?? 100,
  });
  return rows.map(toNotification);
}

export async function listNotifications(
  db: DbClient,
  filter: { roundId?: string; unitId?: string; kind?: string; status?: NotificationStatusValue } = {},
): Promise<NotificationRecord[]> {
  const rows = await db.notification.findMany({
    where: {
      ...(filter.roundId !== undefined ? { roundId: filter.roundId } : {}),
      ...(filter.unitId !== undefined ? { unitId: filter.unitId } : {}),
      ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
      ...(filter.status !== undefined ? { status: filter.status } : {}),
    },
    orderBy: { id: 'asc' },
  });
  return rows.map(toNotification);
}

/** Marks a notification delivered. Marking a sent notification again returns it unchanged. */
export async function markSent(
  db: DbClient,
  input: { id: number; messageId?: string | null; sentAt?: Instant; actor?: string },
): Promise<NotificationRecord> {
  const sentAt = input.sentAt === undefined ? new Date() : toDate(input.sentAt, 'sentAt');
  return inTransaction(db, async (tx) => {
    const row = await tx.notification.findUnique({ where: { id: input.id } });
    if (!row) throw new NotFoundError(`notification ${input.id} does not exist`);
    if (row.status === 'sent') return toNotification(row);
    const updated = await tx.notification.update({
      where: { id: input.id },
      data: { status: 'sent', sentAt, messageId: input.messageId ?? null, attempts: row.attempts + 1, updatedAt: sentAt },
    });
    await appendAudit(tx, {
      at: sentAt,
      actor: input.actor ?? 'system',
      action: 'notification.sent',
      roundId: row.roundId,
      unitId: row.unitId,
      details: { notificationId: row.id, idempotencyKey: row.idempotencyKey, kind: row.kind, step: row.step, messageId: input.messageId ?? null, attempt: row.attempts + 1 },
    });
    return toNotification(updated);
  });
}

export interface MarkFailedInput {
  id: number;
  error: string;
  /** Give up now (e.g. a rejected address). Default: give up after maxAttempts. */
  permanent?: boolean;
  /** Default 5. */
  maxAttempts?: number;
  at?: Instant;
  actor?: string;
}

/**
 * Records a failed delivery attempt. The notification stays queued (to be retried) until `permanent` or
 * `maxAttempts` attempts, then becomes failed. A sent notification is never changed.
 */
export async function markFailed(db: DbClient, input: MarkFailedInput): Promise<NotificationRecord> {
  const at = input.at === undefined ? new Date() : toDate(input.at, 'at');
  const maxAttempts = input.maxAttempts ?? 5;
  return inTransaction(db, async (tx) => {
    const row = await tx.notification.findUnique({ where: { id: input.id } });
    if (!row) throw new NotFoundError(`notification ${input.id} does not exist`);
    if (row.status !== 'queued') return toNotification(row);
    const attempts = row.attempts + 1;
    const status: NotificationStatusValue = input.permanent || attempts >= maxAttempts ? 'failed' : 'queued';
    const updated = await tx.notification.update({
      where: { id: input.id },
      data: { status, attempts, lastError: input.error.slice(0, 2000), updatedAt: at },
    });
    await appendAudit(tx, {
      at,
      actor: input.actor ?? 'system',
      action: status === 'failed' ? 'notification.failed' : 'notification.retry',
      roundId: row.roundId,
      unitId: row.unitId,
      details: { notificationId: row.id, idempotencyKey: row.idempotencyKey, attempt: attempts, error: input.error.slice(0, 500) },
    });
    return toNotification(updated);
  });
}
