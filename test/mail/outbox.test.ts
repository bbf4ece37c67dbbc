import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listAudit } from '../../infra/db/audit-repository';
import { claimNotification, completeSent, getNotification, listNotifications } from '../../infra/db/outbox-repository';
import { noAcceptanceCheck } from '../../activities/mail/in-doubt';
import { messageIdFor } from '../../activities/mail/message-id';
import { providers } from '../db/harness';
import { createWorld, type World } from '../helpers/world';
import { byMessageId, keyOf, seedRound, testDispatcher, waitFor } from './helpers';

/**
 * Exactly-once effect of the outbox: one e-mail per idempotency key whatever is retried, duplicated,
 * raced or killed, against the real SMTP sink on loopback.
 */
describe.each(providers)('outbox delivery: one e-mail per idempotency key on %s', (provider) => {
  let world: World;
  let units: string[];
  beforeAll(async () => {
    world = await createWorld({ provider });
    units = world.program.units.filter((u) => u.reports && u.id !== world.program.coordinator).map((u) => u.id);
  });
  afterAll(async () => {
    await world?.close();
  });

  async function messagesFor(roundId: string) {
    const rows = await listNotifications(world.db, { roundId });
    const keys = new Set(rows.map((r) => r.idempotencyKey));
    const out: Array<{ key: string; messageId: string | null }> = [];
    for (const m of await world.messages()) {
      const key = keyOf(await readFile(path.join(world.sink.dir, `${m.id}.eml`), 'utf8'));
      if (key && keys.has(key)) out.push({ key, messageId: m.messageId });
    }
    return { rows, received: out };
  }

  function countByKey(received: Array<{ key: string }>): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of received) counts[r.key] = (counts[r.key] ?? 0) + 1;
    return counts;
  }

  test('a retried notify activity and a duplicate workflow task queue one row per key; one e-mail each', async () => {
    const roundId = 'mail-test:retry';
    await seedRound(world, roundId, units.slice(0, 3));
    const req = { roundId, kind: 'opened' as const, step: 0, unitIds: units.slice(0, 3), at: '2015-03-02T02:00:00.000Z' };
    const first = await world.activities.notify(req);
    // the same activity again (a retry after a lost completion), and twice concurrently (a duplicate task)
    const again = await Promise.all([world.activities.notify(req), world.activities.notify(req), world.activities.notify(req)]);
    expect(first).toEqual({ queued: 3, duplicates: 0 });
    expect(again).toEqual([{ queued: 0, duplicates: 3 }, { queued: 0, duplicates: 3 }, { queued: 0, duplicates: 3 }]);

    const { dispatcher, close } = testDispatcher(world);
    await dispatcher.drain();
    // a second pass (or a second worker) finds nothing to do
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 0 });
    await close();

    const { rows, received } = await messagesFor(roundId);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    expect(countByKey(received)).toEqual(Object.fromEntries(rows.map((r) => [r.idempotencyKey, 1])));
    // the Message-ID is derived from the key
    for (const r of rows) {
      expect(r.messageId).toBe(messageIdFor(r.idempotencyKey, 'kybao.example'));
      expect(received.find((m) => m.key === r.idempotencyKey)!.messageId).toBe(r.messageId);
    }
  });

  test('three dispatchers racing over the same outbox send each notification once', async () => {
    const roundId = 'mail-test:race';
    await seedRound(world, roundId, units.slice(0, 12));
    await world.activities.notify({ roundId, kind: 'reminder', step: 7, unitIds: units.slice(0, 12), at: '2015-03-16T01:00:00.000Z' });
    const racers = [testDispatcher(world, { batchSize: 4 }), testDispatcher(world, { batchSize: 5 }), testDispatcher(world, { batchSize: 12 })];
    await Promise.all(racers.map((r) => r.dispatcher.drain()));
    await Promise.all(racers.map((r) => r.close()));
    const { rows, received } = await messagesFor(roundId);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    expect(received).toHaveLength(12);
    expect(Object.values(countByKey(received)).every((n) => n === 1)).toBe(true);
  });

  test('a claim taken over by another dispatcher cannot record its outcome (the attempt number fences it)', async () => {
    const roundId = 'mail-test:fence';
    await seedRound(world, roundId, units.slice(0, 1));
    await world.activities.notify({ roundId, kind: 'reminder', step: 3, unitIds: units.slice(0, 1), at: '2015-03-20T01:00:00.000Z' });
    const [row] = await listNotifications(world.db, { roundId });
    const at = new Date();
    const slow = await claimNotification(world.db, { row: row!, leaseUntil: new Date(at.getTime() - 1), messageId: '<a@b>', at });
    expect(slow).toMatchObject({ attempt: 1, inDoubt: false });
    // the lease has run out: another dispatcher takes the row over (and must treat it as in doubt)
    const stale = (await getNotification(world.db, { id: row!.id }))!;
    const takeover = await claimNotification(world.db, { row: stale, leaseUntil: new Date(at.getTime() + 60_000), messageId: '<a@b>', at });
    expect(takeover).toMatchObject({ attempt: 2, inDoubt: true });
    // the first claimant wakes up: its completion is refused; the row stays with the second claim
    expect(await completeSent(world.db, { id: row!.id, attempt: 1, messageId: '<a@b>' })).toBeNull();
    expect(await getNotification(world.db, { id: row!.id })).toMatchObject({ status: 'sending', attempts: 2 });
    expect(await completeSent(world.db, { id: row!.id, attempt: 2, messageId: '<a@b>' })).toMatchObject({ status: 'sent' });
  });

  test('a crash between SMTP acceptance and the outbox commit: recovery finds the message and does not send it again', async () => {
    const roundId = 'mail-test:crash-in-process';
    await seedRound(world, roundId, units.slice(0, 4));
    await world.activities.notify({ roundId, kind: 'reminder', step: 1, unitIds: units.slice(0, 4), at: '2015-03-24T01:00:00.000Z' });

    // The first dispatcher "dies" right after the server accepted each message: nothing is committed.
    const crashing = testDispatcher(world, {
      leaseMs: 300,
      hooks: {
        afterAccepted: () => {
          throw new Error('simulated crash after SMTP acceptance');
        },
      },
    });
    await crashing.dispatcher.runOnce();
    await crashing.close();
    const accepted = await messagesFor(roundId);
    expect(accepted.received).toHaveLength(4); // the sink has them…
    expect(accepted.rows.every((r) => r.status === 'sending')).toBe(true); // …the outbox does not know

    // A new dispatcher (the restarted worker) settles the in-doubt claims once their lease is over.
    await new Promise((r) => setTimeout(r, 350));
    const recovering = testDispatcher(world);
    const summary = await recovering.dispatcher.runOnce();
    await recovering.close();
    expect(summary).toMatchObject({ claimed: 4, recovered: 4, sent: 0 });

    const { rows, received } = await messagesFor(roundId);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(Object.values(countByKey(received))).toEqual([1, 1, 1, 1]);
    const audit = await listAudit(world.db, { roundId, action: 'notification.sent' });
    expect(audit).toHaveLength(4);
    expect(audit.every((a) => String((a.details as { recoveredBy?: string }).recoveredBy).startsWith('sink-folder'))).toBe(true);
  });

  test('without a way to ask the server, an in-doubt message is sent again with the same Message-ID (never dropped)', async () => {
    const roundId = 'mail-test:crash-no-check';
    await seedRound(world, roundId, units.slice(0, 1));
    await world.activities.notify({ roundId, kind: 'overdue', step: 0, unitIds: units.slice(0, 1), at: DEADLINE_AT });
    const crashing = testDispatcher(world, { leaseMs: 200, acceptance: noAcceptanceCheck, hooks: { afterAccepted: () => Promise.reject(new Error('crash')) } });
    await crashing.dispatcher.runOnce();
    await crashing.close();
    await new Promise((r) => setTimeout(r, 250));
    const recovering = testDispatcher(world, { acceptance: noAcceptanceCheck });
    expect(await recovering.dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    await recovering.close();
    const { rows, received } = await messagesFor(roundId);
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 2 });
    // the documented at-least-once case: two copies, recognisably the same message
    expect(received).toHaveLength(2);
    expect(byMessageId((await world.messages()).filter((m) => m.messageId === rows[0]!.messageId)).size).toBe(1);
  });

  test('a dispatcher process SIGKILLed between SMTP acceptance and the commit: exactly one message per key after recovery', async () => {
    const roundId = 'mail-test:sigkill';
    await seedRound(world, roundId, units.slice(0, 6));
    await world.activities.notify({ roundId, kind: 'reminder', step: 3, unitIds: units.slice(0, 6), at: '2015-03-20T01:00:00.000Z' });

    const child = spawn(path.join(__dirname, '../../node_modules/.bin/tsx'), [path.join(__dirname, 'fixtures/dispatcher-child.ts')], {
      env: {
        ...process.env,
        DATABASE_URL: world.url,
        SMTP_HOST: world.sink.host,
        SMTP_PORT: String(world.sink.port),
        SMTP_POOL_SIZE: '2',
        MAIL_CLAIM_LEASE_SECONDS: '2',
        SMTP_TIMEOUT_SECONDS: '1',
        MAIL_IN_DOUBT_CHECK: 'none',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await waitFor(`the child to report an accepted message (stderr: ${stderr})`, async () => /ACCEPTED /.test(stdout), 60_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const reported = [...stdout.matchAll(/ACCEPTED (.+)/g)].map((m) => m[1]!);
    expect(reported.length).toBeGreaterThanOrEqual(1);

    // Accepted by the server, still "sending" in the outbox: the crash window.
    const before = await messagesFor(roundId);
    for (const key of reported) {
      expect(before.received.filter((m) => m.key === key)).toHaveLength(1);
      expect(before.rows.find((r) => r.idempotencyKey === key)).toMatchObject({ status: 'sending' });
    }

    // The restarted dispatcher waits out the dead one's lease (2 s), then settles and delivers the rest.
    const recovering = testDispatcher(world);
    await waitFor('every notification of the round to be sent', async () => {
      await recovering.dispatcher.runOnce();
      return (await listNotifications(world.db, { roundId })).every((r) => r.status === 'sent');
    });
    await recovering.close();

    const { rows, received } = await messagesFor(roundId);
    expect(rows).toHaveLength(6);
    expect(countByKey(received)).toEqual(Object.fromEntries(rows.map((r) => [r.idempotencyKey, 1])));
    // Settled without sending again: at least the ones the child reported, and possibly a few more that
    // it had finished sending (the final ".") when it died, which the sink still accepted (RFC 1047).
    const sentAudit = await listAudit(world.db, { roundId, action: 'notification.sent' });
    expect(sentAudit).toHaveLength(6); // one outcome per notification
    const recovered = sentAudit.filter((a) => (a.details as { recoveredBy?: string }).recoveredBy).map((a) => (a.details as { idempotencyKey: string }).idempotencyKey);
    expect(recovered).toEqual(expect.arrayContaining(reported));
  });
});

const DEADLINE_AT = '2015-03-24T17:00:00.000Z';
