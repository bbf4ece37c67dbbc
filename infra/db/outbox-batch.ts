/**
 * The outbox's hot operations for many notifications at once: queueing the e-mails one notify activity
 * decided, claiming a batch for an attempt, and recording the ones the SMTP server accepted. Same rules
 * as the one-row forms in outbox-repository.ts (enqueueNotification, claimNotification, completeSent),
 * which stay for the rare paths (in-doubt recovery, refused recipients, failures); what changes is the
 * number of statements. Every Prisma statement costs one to several milliseconds of CPU in its query
 * compiler, and every transaction a commit: the one-row forms took three statements per queued e-mail
 * and five statements and two commits per sent one; these take three statements per notify call, and
 * about one statement per sent e-mail with two commits per batch (issue #14).
 */
import { appendAuditMany, type AppendAuditInput } from './audit-repository';
import {
  IN_DOUBT_MARK,
  toNotification,
  type Claim,
  type EnqueueNotificationInput,
  type NotificationRecord,
  type NotificationRow,
  type Recipient,
  queuedRowOf,
} from './outbox-repository';
import type { DbClient, Instant } from './shared';
import { fromJsonText, inTransaction, toDate } from './shared';

/**
 * Queues several e-mails, once per idempotency key, in one transaction (the caller's, when given one):
 * the batch form of enqueueNotification, with the same validation and the same notification.queued
 * audit rows. A key already queued (in any status) keeps its row; `created` says, per input in order,
 * whether this call queued it. A key queued twice in the same call is queued once.
 */
export async function enqueueNotifications(db: DbClient, inputs: EnqueueNotificationInput[]): Promise<{ created: boolean[]; notifications: NotificationRecord[] }> {
  if (!inputs.length) return { created: [], notifications: [] };
  const now = new Date();
  const rows = inputs.map((input) => queuedRowOf(input, now));
  return inTransaction(db, async (tx) => {
    const keys = [...new Set(rows.map((r) => r.idempotencyKey))];
    const byKey = new Map<string, NotificationRow>();
    for (const row of await tx.notification.findMany({ where: { idempotencyKey: { in: keys } } })) byKey.set(row.idempotencyKey, row);
    const fresh = rows.filter((r, i) => !byKey.has(r.idempotencyKey) && rows.findIndex((x) => x.idempotencyKey === r.idempotencyKey) === i);
    // A concurrent enqueue of the same key makes this statement fail on the unique key, and the
    // transaction with it: the caller (an activity) is retried and then finds the row.
    const inserted = (fresh.length ? await tx.notification.createManyAndReturn({ data: fresh }) : []).sort((a, b) => a.id - b.id);
    const createdKeys = new Set<string>();
    for (const row of inserted) {
      byKey.set(row.idempotencyKey, row);
      createdKeys.add(row.idempotencyKey);
    }
    await appendAuditMany(
      tx,
      inserted.map((row) => ({
        at: row.createdAt,
        actor: inputs.find((x) => x.idempotencyKey === row.idempotencyKey)?.actor ?? 'system',
        action: 'notification.queued',
        roundId: row.roundId,
        unitId: row.unitId,
        details: {
          notificationId: row.id,
          idempotencyKey: row.idempotencyKey,
          kind: row.kind,
          step: row.step,
          to: (fromJsonText<Recipient[]>(row.recipients) ?? []).map((r) => r.email),
          subject: row.subject,
        },
      })),
    );
    const seen = new Set<string>();
    const created = rows.map((r) => {
      const first = createdKeys.has(r.idempotencyKey) && !seen.has(r.idempotencyKey);
      seen.add(r.idempotencyKey);
      return first;
    });
    return { created, notifications: rows.map((r) => toNotification(byKey.get(r.idempotencyKey)!)) };
  });
}

/**
 * Claims the given rows (as read by dueNotifications) for one delivery attempt each, in one
 * transaction: status sending, attempts + 1, lease until `leaseUntil`, and the Message-ID fixed
 * (`messageIdOf` for a row that has none yet). Rows another dispatcher changed since they were read are
 * left out: the result holds only this caller's claims, in the order of `rows`.
 */
export async function claimNotifications(
  db: DbClient,
  input: { rows: NotificationRecord[]; leaseUntil: Instant; at: Instant; messageIdOf: (row: NotificationRecord) => string },
): Promise<Claim[]> {
  const candidates = input.rows.filter((r) => r.status === 'queued' || r.status === 'sending');
  if (!candidates.length) return [];
  const leaseUntil = toDate(input.leaseUntil, 'leaseUntil');
  const at = toDate(input.at, 'at');
  // One compare-and-set per (status, attempts): the attempt number is the fencing token.
  const groups = new Map<string, NotificationRecord[]>();
  for (const r of candidates) groups.set(`${r.status}|${r.attempts}`, [...(groups.get(`${r.status}|${r.attempts}`) ?? []), r]);
  const claimed = await inTransaction(db, async (tx) => {
    const rows: NotificationRow[] = [];
    for (const group of groups.values()) {
      const { status, attempts } = group[0]!;
      rows.push(
        ...(await tx.notification.updateManyAndReturn({
          where: { id: { in: group.map((r) => r.id) }, status, attempts },
          data: { status: 'sending', attempts: attempts + 1, nextAttemptAt: leaseUntil, updatedAt: at },
        })),
      );
    }
    // Rows queued without a Message-ID (by a caller that did not know the sender's domain) get theirs
    // now, before anything is sent: every later attempt and the in-doubt check use the stored one.
    const byId = new Map(candidates.map((r) => [r.id, r]));
    for (const row of rows) {
      if (row.messageId !== null) continue;
      row.messageId = input.messageIdOf(byId.get(row.id)!);
      await tx.notification.update({ where: { id: row.id }, data: { messageId: row.messageId } });
    }
    return rows;
  });
  const order = new Map(input.rows.map((r, i) => [r.id, i]));
  return claimed
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    .map((row) => {
      const before = candidates.find((r) => r.id === row.id)!;
      // As in claimNotification: an expired "sending" claim, or a retry after an error that may have
      // come after the hand-over, is in doubt.
      const inDoubt = before.status === 'sending' || (before.attempts > 0 && (before.lastError ?? '').startsWith(IN_DOUBT_MARK));
      return { notification: toNotification(row), attempt: row.attempts, inDoubt };
    });
}

export interface AcceptedDelivery {
  /** The notification as claimed (claimNotifications): its key, round, unit and recipients go into the audit row. */
  notification: NotificationRecord;
  /** The claim's attempt number (the fencing token). */
  attempt: number;
  messageId: string;
  /** When the server accepted it. */
  sentAt: Instant;
  /** The server's reply, e.g. "250 OK: queued as …". */
  response?: string | null;
  actor?: string;
}

/**
 * Records accepted deliveries as sent, in one transaction, each with its notification.sent audit row (as
 * completeSent does). A delivery whose claim was lost (another dispatcher took the row over) changes
 * nothing: the result says, per delivery in input order, whether it was recorded. Deliveries with
 * refused recipients go through completeSent, which splits them.
 */
export async function completeSentMany(db: DbClient, deliveries: AcceptedDelivery[]): Promise<boolean[]> {
  if (!deliveries.length) return [];
  return inTransaction(db, async (tx) => {
    const recorded: boolean[] = [];
    const audit: AppendAuditInput[] = [];
    for (const d of deliveries) {
      const sentAt = toDate(d.sentAt, 'sentAt');
      const n = d.notification;
      // One statement per row: each keeps the instant its own message was accepted.
      const { count } = await tx.notification.updateMany({
        where: { id: n.id, status: 'sending', attempts: d.attempt },
        data: { status: 'sent', sentAt, messageId: d.messageId, nextAttemptAt: null, lastError: null, updatedAt: sentAt },
      });
      recorded.push(count === 1);
      if (count !== 1) continue;
      audit.push({
        at: sentAt,
        actor: d.actor ?? 'system',
        action: 'notification.sent',
        roundId: n.roundId,
        unitId: n.unitId,
        details: {
          notificationId: n.id,
          idempotencyKey: n.idempotencyKey,
          kind: n.kind,
          step: n.step,
          messageId: d.messageId,
          attempt: d.attempt,
          to: n.recipients.map((r) => r.email),
          ...(d.response ? { response: d.response.slice(0, 300) } : {}),
        },
      });
    }
    await appendAuditMany(tx, audit);
    return recorded;
  });
}
