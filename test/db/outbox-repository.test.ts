import { listAudit } from '../../infra/db/audit-repository';
import {
  enqueueNotification,
  getNotification,
  listNotifications,
  markFailed,
  markSent,
  pendingNotifications,
  type EnqueueNotificationInput,
} from '../../infra/db/outbox-repository';
import { InvalidInputError } from '../../infra/db/shared';
import { providers, uniqueId, useMigratedDatabase } from './harness';

function reminder(roundId: string, unitId: string, step: string): EnqueueNotificationInput {
  return {
    idempotencyKey: `reminder:${roundId}:${unitId}:${step}`,
    roundId,
    unitId,
    kind: 'reminder',
    step,
    recipients: [{ email: `contact.${unitId}@thaibinh.example`, role: 'reporting' }],
    language: 'vi',
    subject: 'Nhắc nộp báo cáo quý I/2015',
    bodyText: 'Hạn nộp: trước ngày 25/3/2015.',
    bodyHtml: '<p>Hạn nộp: trước ngày 25/3/2015.</p>',
    createdAt: '2015-03-16T01:00:00Z',
  };
}

describe.each(providers)('notification outbox on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('when the same notification is enqueued twice, then one row exists and the second call returns it', async () => {
    const { db } = database();
    const roundId = uniqueId('r');
    const first = await enqueueNotification(db, reminder(roundId, 'so-tttt', 'T-7'));
    expect(first.created).toBe(true);
    expect(first.notification).toMatchObject({
      status: 'queued',
      attempts: 0,
      kind: 'reminder',
      step: 'T-7',
      language: 'vi',
      recipients: [{ email: 'contact.so-tttt@thaibinh.example', role: 'reporting' }],
      createdAt: '2015-03-16T01:00:00.000Z',
      sentAt: null,
    });
    const second = await enqueueNotification(db, { ...reminder(roundId, 'so-tttt', 'T-7'), subject: 'a different subject' });
    expect(second).toEqual({ notification: first.notification, created: false });
    expect(await listNotifications(db, { roundId })).toHaveLength(1);
    expect(await listAudit(db, { roundId, action: 'notification.queued' })).toHaveLength(1);
  });

  test('when the same key is enqueued concurrently, then exactly one call creates it', async () => {
    const { db } = database();
    const roundId = uniqueId('r');
    const results = await Promise.all(Array.from({ length: 5 }, () => enqueueNotification(db, reminder(roundId, 'so-tttt', 'T-3'))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.notification.id)).size).toBe(1);
    expect(await listNotifications(db, { roundId })).toHaveLength(1);
  });

  test('when deliveries succeed or fail, then pending shows only what is still queued, oldest first', async () => {
    const { db } = database();
    const roundId = uniqueId('r');
    const a = (await enqueueNotification(db, reminder(roundId, 'so-tttt', 'T-1'))).notification;
    const b = (await enqueueNotification(db, reminder(roundId, 'so-khdt', 'T-1'))).notification;
    const c = (await enqueueNotification(db, reminder(roundId, 'cong-an-tinh', 'T-1'))).notification;
    expect((await pendingNotifications(db, { roundId })).map((n) => n.id)).toEqual([a.id, b.id, c.id]);

    const sent = await markSent(db, { id: a.id, messageId: '<abc@kybao>', sentAt: '2015-03-23T01:00:05Z' });
    expect(sent).toMatchObject({ status: 'sent', messageId: '<abc@kybao>', attempts: 1, sentAt: '2015-03-23T01:00:05.000Z' });
    expect(await markSent(db, { id: a.id, messageId: '<other@kybao>' })).toEqual(sent);

    const retry = await markFailed(db, { id: b.id, error: '421 try again later' });
    expect(retry).toMatchObject({ status: 'queued', attempts: 1, lastError: '421 try again later' });
    const gaveUp = await markFailed(db, { id: c.id, error: '550 no such mailbox', permanent: true });
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await markFailed(db, { id: a.id, error: 'late echo' })).toEqual(sent);

    expect((await pendingNotifications(db, { roundId })).map((n) => n.id)).toEqual([b.id]);
    for (let i = 0; i < 3; i++) await markFailed(db, { id: b.id, error: 'timeout', maxAttempts: 4 });
    expect(await getNotification(db, { id: b.id })).toMatchObject({ status: 'failed', attempts: 4 });
    expect(await pendingNotifications(db, { roundId })).toEqual([]);

    expect((await listAudit(db, { roundId })).map((e) => [e.action, e.unitId])).toEqual([
      ['notification.queued', 'so-tttt'],
      ['notification.queued', 'so-khdt'],
      ['notification.queued', 'cong-an-tinh'],
      ['notification.sent', 'so-tttt'],
      ['notification.retry', 'so-khdt'],
      ['notification.failed', 'cong-an-tinh'],
      ['notification.retry', 'so-khdt'],
      ['notification.retry', 'so-khdt'],
      ['notification.failed', 'so-khdt'],
    ]);
  });

  test('when a notification has no recipient or an unknown language, then it is refused', async () => {
    const { db } = database();
    const roundId = uniqueId('r');
    await expect(enqueueNotification(db, { ...reminder(roundId, 'so-tttt', 'T-7'), recipients: [] })).rejects.toThrow(InvalidInputError);
    await expect(enqueueNotification(db, { ...reminder(roundId, 'so-tttt', 'T-7'), language: 'fr' as never })).rejects.toThrow(InvalidInputError);
    expect(await getNotification(db, { idempotencyKey: `reminder:${roundId}:so-tttt:T-7` })).toBeNull();
  });
});
