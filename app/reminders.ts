import { appendAudit } from '../infra/db/audit-repository';
import type { Db } from '../infra/db/client';
import { enqueueNotification, type NotificationRecord } from '../infra/db/outbox-repository';
import { notifyOutboxChanged } from '../activities/mail/outbox-signal';
import type { Clock } from './context';
import { AppError } from './errors';

/** Mails that count as "the unit's reminder": the latest of these is what a resend repeats. */
const REMINDER_KINDS = ['reminder', 'overdue', 'opened', 'adhoc-announced', 'extended'];

/**
 * "Resend a reminder": queues the unit's latest reminder again through the outbox, exactly as it was
 * rendered, under a new idempotency key marked as a manual resend, so the dispatcher delivers it like
 * any other mail and the audit log says who asked.
 */
export async function resendReminder(db: Db, input: { roundId: string; unitId: string; by: string }, clock: Clock): Promise<NotificationRecord> {
  const latest = await db.notification.findFirst({
    where: { roundId: input.roundId, unitId: input.unitId, kind: { in: REMINDER_KINDS }, NOT: { idempotencyKey: { contains: '|resend|' } } },
    orderBy: { id: 'desc' },
  });
  if (!latest) throw new AppError('not-found', `unit "${input.unitId}" has had no reminder in round ${input.roundId} yet; there is nothing to resend`, 'unitId');
  const previous = await db.notification.count({ where: { idempotencyKey: { startsWith: `${latest.idempotencyKey}|resend|` } } });
  const at = new Date(clock.now());
  const { notification } = await enqueueNotification(db, {
    idempotencyKey: `${latest.idempotencyKey}|resend|${previous + 1}`,
    roundId: latest.roundId,
    unitId: latest.unitId,
    kind: latest.kind,
    step: `${latest.step ?? ''} (resent by hand)`,
    recipients: JSON.parse(latest.recipients) as Array<{ email: string }>,
    language: latest.language as 'vi' | 'en',
    subject: latest.subject,
    bodyText: latest.bodyText,
    bodyHtml: latest.bodyHtml,
    createdAt: at,
    actor: input.by,
  });
  await appendAudit(db, { at, actor: input.by, action: 'reminder.resent', roundId: input.roundId, unitId: input.unitId, details: { notificationId: notification.id, of: latest.id } });
  notifyOutboxChanged();
  return notification;
}

/** Mail that could not be delivered (failed for good), newest first. */
export async function undeliveredMail(db: Db, options: { limit?: number } = {}) {
  const rows = await db.notification.findMany({ where: { status: 'failed' }, orderBy: { id: 'desc' }, take: options.limit ?? 100 });
  return rows.map((r) => ({
    id: r.id,
    roundId: r.roundId,
    unitId: r.unitId,
    kind: r.kind,
    to: (JSON.parse(r.recipients) as Array<{ email: string }>).map((x) => x.email),
    subject: r.subject,
    error: r.lastError,
    attempts: r.attempts,
    createdAt: r.createdAt.toISOString(),
  }));
}
