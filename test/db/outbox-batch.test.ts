import { listAudit } from '../../infra/db/audit-repository';
import { claimNotifications, completeSentMany } from '../../infra/db/outbox-batch';
import { dueNotifications, enqueueNotification, getNotification, type EnqueueNotificationInput } from '../../infra/db/outbox-repository';
import { providers, uniqueId, useMigratedDatabase } from './harness';

/**
 * The dispatcher's batch operations (infra/db/outbox-batch.ts): the same compare-and-set as the one-row
 * claim and completion, for a whole batch in one transaction each.
 */
function mail(roundId: string, unitId: string, messageId?: string): EnqueueNotificationInput {
  return {
    idempotencyKey: `${roundId}|${unitId}|reminder|3`,
    roundId,
    unitId,
    kind: 'reminder',
    step: '3',
    recipients: [{ email: `contact.${unitId}@thaibinh.example`, role: 'reporting' }],
    language: 'vi',
    subject: 'Nhắc nộp báo cáo quý I/2015',
    bodyText: 'Hạn nộp: trước ngày 25/3/2015.',
    ...(messageId ? { messageId } : {}),
    createdAt: '2015-03-19T01:00:00Z',
  };
}

const NOW = '2015-03-19T01:00:05.000Z';
const LEASE = '2015-03-19T01:10:05.000Z';

describe.each(providers)('outbox batch operations on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('a batch claim takes the rows nobody changed since they were read, fixing each one’s Message-ID', async () => {
    const { db } = database();
    const roundId = uniqueId('batch');
    await enqueueNotification(db, mail(roundId, 'a', '<kept@kybao.example>'));
    await enqueueNotification(db, mail(roundId, 'b'));
    await enqueueNotification(db, mail(roundId, 'c'));
    const rows = (await dueNotifications(db, { now: NOW, limit: 1000 })).filter((r) => r.roundId === roundId);
    expect(rows.map((r) => r.unitId)).toEqual(['a', 'b', 'c']);
    // Another dispatcher claims c between our read and our claim.
    const c = rows[2]!;
    await db.notification.update({ where: { id: c.id }, data: { status: 'sending', attempts: 1 } });

    const claims = await claimNotifications(db, { rows, leaseUntil: LEASE, at: NOW, messageIdOf: (r) => `<${r.unitId}@derived>` });
    expect(claims.map((x) => [x.notification.unitId, x.attempt, x.inDoubt, x.notification.messageId, x.notification.status, x.notification.nextAttemptAt])).toEqual([
      ['a', 1, false, '<kept@kybao.example>', 'sending', '2015-03-19T01:10:05.000Z'],
      ['b', 1, false, '<b@derived>', 'sending', '2015-03-19T01:10:05.000Z'],
    ]);
    expect((await getNotification(db, { id: rows[1]!.id }))!.messageId).toBe('<b@derived>');
    expect(await getNotification(db, { id: c.id })).toMatchObject({ status: 'sending', attempts: 1, messageId: null });

    // Claiming the same read again finds nothing left to take.
    expect(await claimNotifications(db, { rows, leaseUntil: LEASE, at: NOW, messageIdOf: () => '<x@y>' })).toEqual([]);
  });

  test('an expired claim taken over is in doubt; completing a batch records each accepted send once, with its audit row', async () => {
    const { db } = database();
    const roundId = uniqueId('batch');
    await enqueueNotification(db, mail(roundId, 'a', '<a@kybao.example>'));
    await enqueueNotification(db, mail(roundId, 'b', '<b@kybao.example>'));
    const read = (await dueNotifications(db, { now: NOW, limit: 1000 })).filter((r) => r.roundId === roundId);
    const first = await claimNotifications(db, { rows: read, leaseUntil: '2015-03-19T01:00:06.000Z', at: NOW, messageIdOf: () => '<unused@x>' });
    expect(first.map((c) => c.inDoubt)).toEqual([false, false]);
    // b's lease ends before anything is recorded: a second dispatcher takes it over (attempt 2, in doubt).
    const later = '2015-03-19T01:00:07.000Z';
    const expired = (await dueNotifications(db, { now: later, limit: 1000 })).filter((r) => r.roundId === roundId);
    const takeover = await claimNotifications(db, { rows: expired, leaseUntil: '2015-03-19T01:10:07.000Z', at: later, messageIdOf: () => '<unused@x>' });
    expect(takeover.map((c) => [c.notification.unitId, c.attempt, c.inDoubt])).toEqual([
      ['a', 2, true],
      ['b', 2, true],
    ]);

    // The first dispatcher's completions lost their claims; the second one's count.
    const accepted = (claims: typeof first, at: string) =>
      claims.map((c) => ({ notification: c.notification, attempt: c.attempt, messageId: c.notification.messageId!, sentAt: at, response: '250 OK', actor: 'test' }));
    expect(await completeSentMany(db, accepted(first, '2015-03-19T01:00:08.000Z'))).toEqual([false, false]);
    expect(await completeSentMany(db, accepted(takeover, '2015-03-19T01:00:09.000Z'))).toEqual([true, true]);
    for (const row of read) {
      expect(await getNotification(db, { id: row.id })).toMatchObject({ status: 'sent', attempts: 2, sentAt: '2015-03-19T01:00:09.000Z', nextAttemptAt: null });
    }
    const sent = (await listAudit(db, { roundId, action: 'notification.sent' })).map((e) => [e.unitId, e.at, (e.details as { attempt: number; messageId: string; response: string }).attempt, (e.details as { messageId: string }).messageId]);
    expect(sent).toEqual([
      ['a', '2015-03-19T01:00:09.000Z', 2, '<a@kybao.example>'],
      ['b', '2015-03-19T01:00:09.000Z', 2, '<b@kybao.example>'],
    ]);
  });
});
