/**
 * The notification outbox. A workflow decides to send an e-mail; an activity enqueues it here under an
 * idempotency key that names the decision (e.g. "qd-925-thai-binh:2015-Q1|so-noi-vu|reminder|3");
 * the outbox dispatcher (activities/mail/dispatcher.ts) delivers queued rows and marks them sent or
 * failed. Enqueueing the same key again — an activity retry, a workflow replay after a crash — returns
 * the row already there, so each decision is one row. Each change appends an audit row in the same
 * transaction (the auditor's "who was told what").
 *
 * Delivery states: queued → sending (claimed for attempt n, with a lease) → sent | queued (retry at
 * nextAttemptAt) | failed. Claims and completions are compare-and-set on (status, attempts): the
 * attempt number is a fencing token, so a dispatcher that lost its claim can never overwrite the
 * outcome recorded by the one that took over.
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

export const NOTIFICATION_STATUSES = ['queued', 'sending', 'sent', 'failed'] as const;
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
  /** queued: not before then (null: now); sending: when the claim's lease ends. */
  nextAttemptAt: string | null;
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
  /**
   * The Message-ID every attempt will carry (activities/mail/message-id.ts), when the caller knows the
   * sender's domain; otherwise the dispatcher fixes it when it first claims the row.
   */
  messageId?: string | null;
  /** Default now. */
  createdAt?: Instant;
  actor?: string;
}

export type NotificationRow = {
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
  nextAttemptAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
};

/** A stored row as the repositories return it (recipients parsed, instants as ISO strings). */
export function toNotification(row: NotificationRow): NotificationRecord {
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
    nextAttemptAt: isoOrNull(row.nextAttemptAt),
    createdAt: iso(row.createdAt),
    sentAt: isoOrNull(row.sentAt),
  };
}

/**
 * The outbox row an e-mail is queued as, validated (key, kind, subject, at least one recipient with an
 * address, language vi or en): the one shape enqueueNotification and the batch form both write.
 * `now` (when no createdAt is given) is the queueing instant.
 */
export function queuedRowOf(input: EnqueueNotificationInput, now: Date) {
  const language = oneOf(input.language, ['vi', 'en'] as const, 'language');
  if (!Array.isArray(input.recipients) || input.recipients.length === 0) {
    throw new InvalidInputError('recipients: at least one recipient is required');
  }
  input.recipients.forEach((r, i) => nonEmpty(r.email, `recipients[${i}].email`));
  const createdAt = input.createdAt === undefined ? now : toDate(input.createdAt, 'createdAt');
  return {
    idempotencyKey: nonEmpty(input.idempotencyKey, 'idempotencyKey'),
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
    messageId: input.messageId ?? null,
    createdAt,
    updatedAt: createdAt,
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
  const data = queuedRowOf(input, new Date());
  const { idempotencyKey, createdAt } = data;

  const existing = await db.notification.findUnique({ where: { idempotencyKey } });
  if (existing) return { notification: toNotification(existing), created: false };
  try {
    const row = await inTransaction(db, async (tx) => {
      const created = await tx.notification.create({ data });
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

// ------------------------------------------------------------------------------------------- delivery

/** Rows a dispatcher may take at `now`: queued and due, or sending with an expired lease (in doubt). */
export async function dueNotifications(db: DbClient, options: { now: Instant; limit: number; excludeIds?: number[] }): Promise<NotificationRecord[]> {
  const now = toDate(options.now, 'now');
  const rows = await db.notification.findMany({
    where: {
      OR: [
        { status: 'queued', OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
        { status: 'sending', nextAttemptAt: { lte: now } },
      ],
      ...(options.excludeIds?.length ? { id: { notIn: options.excludeIds } } : {}),
    },
    orderBy: { id: 'asc' },
    take: options.limit,
  });
  return rows.map(toNotification);
}

/** The earliest instant at which a queued or claimed row becomes due, or null when none is waiting. */
export async function nextDueAt(db: DbClient): Promise<Date | null> {
  const queuedNow = await db.notification.findFirst({ where: { status: 'queued', nextAttemptAt: null }, select: { id: true } });
  if (queuedNow) return new Date(0);
  const agg = await db.notification.aggregate({ where: { status: { in: ['queued', 'sending'] } }, _min: { nextAttemptAt: true } });
  return agg._min.nextAttemptAt ?? null;
}

export interface Claim {
  notification: NotificationRecord;
  /** The attempt this claim is for (the fencing token for completing it). */
  attempt: number;
  /**
   * An earlier attempt started and its outcome was not recorded as a certain failure before DATA
   * (it crashed, timed out, or lost the connection at an unknown point): the server may have it.
   */
  inDoubt: boolean;
}

/**
 * Claims a row for one delivery attempt, if nobody changed it since it was read: status becomes
 * sending, attempts + 1, the lease runs until `leaseUntil`, and the Message-ID is fixed. Returns null
 * when another dispatcher got there first.
 */
export async function claimNotification(
  db: DbClient,
  input: { row: NotificationRecord; leaseUntil: Instant; messageId: string; at: Instant },
): Promise<Claim | null> {
  const { row } = input;
  if (row.status !== 'queued' && row.status !== 'sending') return null;
  const at = toDate(input.at, 'at');
  const { count } = await db.notification.updateMany({
    where: { id: row.id, status: row.status, attempts: row.attempts },
    data: {
      status: 'sending',
      attempts: row.attempts + 1,
      nextAttemptAt: toDate(input.leaseUntil, 'leaseUntil'),
      messageId: row.messageId ?? input.messageId,
      updatedAt: at,
    },
  });
  if (count !== 1) return null;
  const claimed = await db.notification.findUnique({ where: { id: row.id } });
  if (!claimed) return null;
  // A stale "sending" row is an attempt that never reported back. A queued row after an attempt is in
  // doubt only if that attempt's error could have come after the message was handed over; the
  // dispatcher records such errors with the IN_DOUBT_MARK prefix.
  const inDoubt = row.status === 'sending' || (row.attempts > 0 && (row.lastError ?? '').startsWith(IN_DOUBT_MARK));
  return { notification: toNotification(claimed), attempt: row.attempts + 1, inDoubt };
}

/** Prefix of lastError for a failed attempt whose message may nevertheless have been accepted. */
export const IN_DOUBT_MARK = '[in doubt] ';

export interface RejectedRecipient {
  email: string;
  permanent: boolean;
  error: string;
}

/**
 * Records attempt `attempt` as delivered. Returns null (and changes nothing) if the claim was lost.
 * `recoveredBy` names the in-doubt check that found the message already accepted (nothing was sent
 * this time). Recipients the server refused while accepting the others get their own notification
 * ("<key>|to:<email>"), queued for a retry (4xx) or failed (5xx), so no recipient is silently skipped.
 */
export async function completeSent(
  db: DbClient,
  input: {
    id: number;
    attempt: number;
    messageId: string;
    sentAt?: Instant;
    response?: string | null;
    recoveredBy?: string | null;
    rejected?: RejectedRecipient[];
    /** When a temporarily refused recipient's own notification is tried again (default: now). */
    retryRejectedAt?: Instant;
    actor?: string;
  },
): Promise<NotificationRecord | null> {
  const sentAt = input.sentAt === undefined ? new Date() : toDate(input.sentAt, 'sentAt');
  const rejected = input.rejected ?? [];
  return inTransaction(db, async (tx) => {
    const { count } = await tx.notification.updateMany({
      where: { id: input.id, status: 'sending', attempts: input.attempt },
      data: {
        status: 'sent',
        sentAt,
        messageId: input.messageId,
        nextAttemptAt: null,
        lastError: rejected.length ? `some recipients refused: ${rejected.map((r) => `${r.email}: ${r.error}`).join('; ')}`.slice(0, 2000) : null,
        updatedAt: sentAt,
      },
    });
    if (count !== 1) return null;
    const row = (await tx.notification.findUnique({ where: { id: input.id } }))!;
    await appendAudit(tx, {
      at: sentAt,
      actor: input.actor ?? 'system',
      action: 'notification.sent',
      roundId: row.roundId,
      unitId: row.unitId,
      details: {
        notificationId: row.id,
        idempotencyKey: row.idempotencyKey,
        kind: row.kind,
        step: row.step,
        messageId: input.messageId,
        attempt: input.attempt,
        to: fromJsonText<Recipient[]>(row.recipients)?.map((r) => r.email) ?? [],
        ...(input.response ? { response: input.response.slice(0, 300) } : {}),
        ...(input.recoveredBy ? { recoveredBy: input.recoveredBy } : {}),
        ...(rejected.length ? { rejected: rejected.map((r) => r.email) } : {}),
      },
    });
    const recipients = fromJsonText<Recipient[]>(row.recipients) ?? [];
    for (const r of rejected) {
      const recipient = recipients.find((x) => x.email.toLowerCase() === r.email.toLowerCase()) ?? { email: r.email };
      const { notification: split, created } = await enqueueNotification(tx, {
        idempotencyKey: `${row.idempotencyKey}|to:${r.email.toLowerCase()}`,
        roundId: row.roundId,
        unitId: row.unitId,
        kind: row.kind,
        step: row.step,
        recipients: [recipient],
        language: row.language as 'vi' | 'en',
        subject: row.subject,
        bodyText: row.bodyText,
        bodyHtml: row.bodyHtml,
        createdAt: sentAt,
        actor: input.actor ?? 'system',
      });
      if (created && r.permanent) {
        await failTx(tx, split.id, 'queued', 0, r.error, sentAt, input.actor ?? 'system', true);
      } else if (created) {
        const retryAt = input.retryRejectedAt === undefined ? sentAt : toDate(input.retryRejectedAt, 'retryRejectedAt');
        await tx.notification.update({ where: { id: split.id }, data: { attempts: 1, lastError: r.error.slice(0, 2000), nextAttemptAt: retryAt } });
      }
    }
    return toNotification(row);
  });
}

/**
 * Records a failed attempt: permanent → failed (an audit row for the unit, notification.failed);
 * otherwise queued again until `retryAt` (notification.retry). Returns null if the claim was lost.
 */
export async function completeFailed(
  db: DbClient,
  input: { id: number; attempt: number; error: string; permanent: boolean; retryAt?: Instant; at?: Instant; actor?: string },
): Promise<NotificationRecord | null> {
  const at = input.at === undefined ? new Date() : toDate(input.at, 'at');
  return inTransaction(db, async (tx) => {
    if (input.permanent) return failTx(tx, input.id, 'sending', input.attempt, input.error, at, input.actor ?? 'system', false);
    const retryAt = input.retryAt === undefined ? at : toDate(input.retryAt, 'retryAt');
    const { count } = await tx.notification.updateMany({
      where: { id: input.id, status: 'sending', attempts: input.attempt },
      data: { status: 'queued', nextAttemptAt: retryAt, lastError: input.error.slice(0, 2000), updatedAt: at },
    });
    if (count !== 1) return null;
    const row = (await tx.notification.findUnique({ where: { id: input.id } }))!;
    await appendAudit(tx, {
      at,
      actor: input.actor ?? 'system',
      action: 'notification.retry',
      roundId: row.roundId,
      unitId: row.unitId,
      details: { notificationId: row.id, idempotencyKey: row.idempotencyKey, attempt: input.attempt, retryAt: iso(retryAt), error: input.error.slice(0, 500) },
    });
    return toNotification(row);
  });
}

async function failTx(
  tx: DbClient,
  id: number,
  expectedStatus: NotificationStatusValue,
  expectedAttempts: number,
  error: string,
  at: Date,
  actor: string,
  split: boolean,
): Promise<NotificationRecord | null> {
  const { count } = await tx.notification.updateMany({
    where: { id, status: expectedStatus, attempts: expectedAttempts },
    data: { status: 'failed', nextAttemptAt: null, lastError: error.slice(0, 2000), updatedAt: at },
  });
  if (count !== 1) return null;
  const row = (await tx.notification.findUnique({ where: { id } }))!;
  await appendAudit(tx, {
    at,
    actor,
    action: 'notification.failed',
    roundId: row.roundId,
    unitId: row.unitId,
    details: {
      notificationId: row.id,
      idempotencyKey: row.idempotencyKey,
      kind: row.kind,
      step: row.step,
      to: fromJsonText<Recipient[]>(row.recipients)?.map((r) => r.email) ?? [],
      attempts: row.attempts,
      error: error.slice(0, 500),
      ...(split ? { refusedWhileOthersAccepted: true } : {}),
    },
  });
  return toNotification(row);
}

export interface UndeliveredReminder {
  notificationId: number;
  roundId: string;
  unitId: string;
  /** Working days before the deadline. */
  step: string | null;
  to: string[];
  /** The unit's deadline in force. */
  dueAt: string;
  status: NotificationStatusValue;
  /**
   * failed: given up; late: delivered, but only at or after the deadline; undelivered: still not
   * delivered and the deadline has passed; at-risk: not delivered yet, retrying, deadline ahead.
   */
  problem: 'failed' | 'late' | 'undelivered' | 'at-risk';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/**
 * Reminders that did not reach the unit before its deadline (or may not), per round: the view behind
 * "a reminder that could not be delivered before its deadline is visible in status". A reminder
 * queued for the first time and not yet attempted is not a problem (yet) and is not listed.
 */
export async function undeliveredReminders(db: DbClient, options: { roundId?: string; now?: Instant } = {}): Promise<UndeliveredReminder[]> {
  const now = options.now === undefined ? new Date() : toDate(options.now, 'now');
  const rows = await db.notification.findMany({
    where: { kind: 'reminder', ...(options.roundId !== undefined ? { roundId: options.roundId } : {}) },
    orderBy: [{ roundId: 'asc' }, { id: 'asc' }],
  });
  const roundIds = [...new Set(rows.map((r) => r.roundId).filter((r): r is string => r !== null))];
  const obligations = await db.obligation.findMany({ where: { roundId: { in: roundIds } }, select: { roundId: true, unitId: true, dueAt: true } });
  const due = new Map(obligations.map((o) => [`${o.roundId}|${o.unitId}`, o.dueAt]));
  const out: UndeliveredReminder[] = [];
  for (const row of rows) {
    if (row.roundId === null || row.unitId === null) continue;
    const dueAt = due.get(`${row.roundId}|${row.unitId}`);
    if (!dueAt) continue;
    let problem: UndeliveredReminder['problem'] | null = null;
    if (row.status === 'failed') problem = 'failed';
    else if (row.status === 'sent') problem = row.sentAt && row.sentAt.getTime() >= dueAt.getTime() ? 'late' : null;
    else if (now.getTime() >= dueAt.getTime()) problem = 'undelivered';
    else if (row.attempts > 0 && row.status === 'queued') problem = 'at-risk';
    if (!problem) continue;
    out.push({
      notificationId: row.id,
      roundId: row.roundId,
      unitId: row.unitId,
      step: row.step,
      to: (fromJsonText<Recipient[]>(row.recipients) ?? []).map((r) => r.email),
      dueAt: iso(dueAt),
      status: row.status as NotificationStatusValue,
      problem,
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: iso(row.createdAt),
      sentAt: isoOrNull(row.sentAt),
    });
  }
  return out;
}
