import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listAudit } from '../../infra/db/audit-repository';
import { claimNotification, completeFailed, listNotifications, undeliveredReminders } from '../../infra/db/outbox-repository';
import { sinkFolderAcceptanceCheck } from '../../activities/mail/in-doubt';
import { listStoredMessages, startMailSink, type MailSink } from '../../client/mail-sink';
import { providers } from '../db/harness';
import { createWorld, type World } from '../helpers/world';
import { DEADLINE, seedRound, testDispatcher, waitFor } from './helpers';

/**
 * Temporary failures are retried with backoff until the mail gets through; permanent ones are recorded
 * on the notification and the unit's audit trail, and reach the coordinator in the next escalation or
 * round-closed mail. Against real SMTP servers on loopback.
 */
describe.each(providers)('delivery failures on %s', (provider) => {
  let world: World;
  let units: ReturnType<World['program']['units']['filter']>;
  const dirs: string[] = [];
  const sinks: MailSink[] = [];
  beforeAll(async () => {
    world = await createWorld({ provider });
    units = world.program.units.filter((u) => u.reports && u.id !== world.program.coordinator && u.id !== world.program.appraiser);
  });
  afterAll(async () => {
    for (const s of sinks) await s.close();
    await world?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A second sink that refuses some recipients, with the world's database. */
  async function refusingSink(reject: (address: string) => { code: number; message: string } | undefined): Promise<MailSink> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-refusing-sink-'));
    dirs.push(dir);
    const sink = await startMailSink({ dir, rejectRecipient: reject });
    sinks.push(sink);
    return sink;
  }

  test('the SMTP server refuses connections for a while: every mail arrives once it is back', async () => {
    const roundId = 'mail-test:outage';
    const ids = units.slice(0, 5).map((u) => u.id);
    await seedRound(world, roundId, ids);
    const port = world.sink.port;
    const dir = world.sink.dir;
    await world.sink.close(); // connection refused from now on

    await world.activities.notify({ roundId, kind: 'opened', step: 0, unitIds: ids, at: '2015-03-02T02:00:00.000Z' });
    const { dispatcher, close } = testDispatcher(world, { retryInitialMs: 100, retryMaxMs: 300 });
    dispatcher.start();
    // it tries, fails with "connection refused", backs off, and keeps every row queued
    const failing = await waitFor('failed attempts to be recorded', async () => {
      const rows = await listNotifications(world.db, { roundId });
      return rows.filter((r) => r.attempts >= 2).length >= 2 && rows;
    });
    expect(failing.every((r) => r.status === 'queued' || r.status === 'sending')).toBe(true);
    expect(failing.find((r) => r.attempts >= 2)!.lastError).toMatch(/ECONNECTION ECONNREFUSED|ECONNREFUSED/);
    expect((await listAudit(world.db, { roundId, action: 'notification.retry' })).length).toBeGreaterThanOrEqual(2);

    // the server comes back on the same port
    const back = await startMailSink({ dir, port });
    sinks.push(back);
    const rows = await waitFor('all mail to be sent', async () => {
      const r = await listNotifications(world.db, { roundId });
      return r.every((n) => n.status === 'sent') && r;
    });
    await close();
    expect(rows).toHaveLength(5);
    const received = (await listStoredMessages(dir)).filter((m) => rows.some((r) => r.messageId === m.messageId));
    expect(received.map((m) => m.envelopeTo[0]).sort()).toEqual(units.slice(0, 5).map((u) => u.contact.email).sort());
    expect(new Set(received.map((m) => m.messageId)).size).toBe(5);
  });

  test('a 4xx for one address is retried until it is accepted; the mail arrives once', async () => {
    const roundId = 'mail-test:greylist';
    const [unit] = units.slice(5, 6);
    await seedRound(world, roundId, [unit!.id]);
    let refusals = 0;
    const sink = await refusingSink((address) => (address === unit!.contact.email && refusals++ < 2 ? { code: 451, message: '4.7.1 Greylisted, try again later' } : undefined));
    await world.activities.notify({ roundId, kind: 'reminder', step: 7, unitIds: [unit!.id], at: '2015-03-16T01:00:00.000Z' });
    const { dispatcher, close } = testDispatcher(world, { env: { SMTP_PORT: sink.port }, acceptance: sinkFolderAcceptanceCheck(sink.dir) });
    await dispatcher.drain({ settleMs: 2_000 });
    await close();
    const [row] = await listNotifications(world.db, { roundId });
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    expect((await listStoredMessages(sink.dir)).filter((m) => m.messageId === row!.messageId)).toHaveLength(1);
    const retries = await listAudit(world.db, { roundId, action: 'notification.retry' });
    expect(retries.map((a) => (a.details as { error: string }).error)).toEqual([expect.stringMatching(/451 4\.7\.1 Greylisted/), expect.stringMatching(/451/)]);
  });

  test('a permanent 5xx for one address: that notification is failed, audited for its unit, listed as undelivered, and the coordinator is told', async () => {
    const roundId = 'mail-test:bounce';
    const [bad, good] = units.slice(6, 8);
    await seedRound(world, roundId, [bad!.id, good!.id]);
    const sink = await refusingSink((address) => (address === bad!.contact.email ? { code: 550, message: '5.1.1 <' + address + '>: mailbox unavailable' } : undefined));
    const deliver = async () => {
      const { dispatcher, close } = testDispatcher(world, { env: { SMTP_PORT: sink.port }, acceptance: sinkFolderAcceptanceCheck(sink.dir) });
      await dispatcher.drain({ settleMs: 2_000 });
      await close();
    };

    await world.activities.notify({ roundId, kind: 'reminder', step: 7, unitIds: [bad!.id, good!.id], at: '2015-03-16T01:00:00.000Z' });
    await deliver();
    const rows = await listNotifications(world.db, { roundId });
    const failed = rows.find((r) => r.unitId === bad!.id)!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/EENVELOPE at RCPT TO: .*550 5\.1\.1/) });
    expect(rows.find((r) => r.unitId === good!.id)).toMatchObject({ status: 'sent' });
    const audit = await listAudit(world.db, { roundId, unitId: bad!.id, action: 'notification.failed' });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ kind: 'reminder', to: [bad!.contact.email], error: expect.stringMatching(/550/) });

    // visible as an undelivered reminder of the round (the other one went out today, years after its
    // 2015 deadline, so it shows as delivered late)
    expect(await undeliveredReminders(world.db, { roundId })).toEqual([
      expect.objectContaining({ unitId: bad!.id, step: '7', problem: 'failed', dueAt: DEADLINE, to: [bad!.contact.email], lastError: failed.lastError }),
      expect.objectContaining({ unitId: good!.id, step: '7', problem: 'late', status: 'sent' }),
    ]);

    // the next escalation to the coordinator (and the UBND office) says so…
    await world.activities.notify({
      roundId,
      kind: 'escalation',
      step: 2,
      roles: ['coordinator', 'escalation-recipients'],
      unitIds: [bad!.id],
      at: '2015-03-30T01:00:00.000Z',
    });
    // …and so does the round-closed mail
    await world.activities.notify({ roundId, kind: 'closed', step: 0, unitIds: [world.program.coordinator], at: '2015-03-30T01:00:00.000Z' });
    await deliver();
    const toCoordinator = (await listStoredMessages(sink.dir)).filter((m) => m.envelopeTo.includes('contact.so-tttt@thaibinh.example'));
    expect(toCoordinator.map((m) => m.subject).sort()).toEqual([
      '[kybao] Danh sách đơn vị chậm nộp báo cáo (1 đơn vị): Báo cáo đánh giá tình hình thực hiện quý I/2015 (hạn cuối: thứ Ba 24/3/2015)',
      '[kybao] Kết quả kỳ báo cáo: Báo cáo đánh giá tình hình thực hiện quý I/2015 – đã nộp 0%',
    ]);
    for (const m of toCoordinator) {
      expect(m.text).toContain('THƯ KHÔNG GỬI ĐƯỢC (1)');
      expect(m.text).toMatch(new RegExp(`- ${bad!.name.vi} – Nhắc hạn nộp báo cáo gửi ${bad!.contact.email.replace(/\./g, '\\.')} \\(08:00 Thứ Hai, 16/03/2015\\): .*550 5\\.1\\.1`));
      expect(m.html).toContain('Thư không gửi được (1)');
    }
  });

  test('one recipient of a multi-recipient mail refused: the others get it, the refused one is recorded on its own row', async () => {
    const roundId = 'mail-test:partial';
    const [late] = units.slice(8, 9);
    await seedRound(world, roundId, [late!.id]);
    const office = world.program.units.find((u) => u.id === 'van-phong-ubnd')!;
    const sink = await refusingSink((address) => (address === office.contact.email ? { code: 550, message: '5.1.1 no such mailbox' } : undefined));
    await world.activities.notify({ roundId, kind: 'escalation', step: 2, roles: ['coordinator', 'escalation-recipients'], unitIds: [late!.id], at: '2015-03-30T01:00:00.000Z' });
    const { dispatcher, close } = testDispatcher(world, { env: { SMTP_PORT: sink.port }, acceptance: sinkFolderAcceptanceCheck(sink.dir) });
    await dispatcher.drain({ settleMs: 2_000 });
    await close();
    const rows = await listNotifications(world.db, { roundId });
    expect(rows.map((r) => [r.idempotencyKey, r.status])).toEqual([
      [`${roundId}|*|escalation|2|above`, 'sent'],
      [`${roundId}|*|escalation|2|above|to:${office.contact.email}`, 'failed'],
    ]);
    const received = await listStoredMessages(sink.dir);
    expect(received.filter((m) => m.messageId === rows[0]!.messageId).map((m) => m.envelopeTo)).toEqual([['contact.so-tttt@thaibinh.example']]);
  });

  test('a reminder still retrying is "at risk" before the deadline and "undelivered" after it', async () => {
    const roundId = 'mail-test:at-risk';
    const [unit] = units.slice(9, 10);
    await seedRound(world, roundId, [unit!.id]);
    await world.activities.notify({ roundId, kind: 'reminder', step: 1, unitIds: [unit!.id], at: '2015-03-24T01:00:00.000Z' });
    const [row] = await listNotifications(world.db, { roundId });
    const claim = await claimNotification(world.db, { row: row!, leaseUntil: new Date(Date.now() + 60_000), messageId: '<x@kybao.example>', at: new Date() });
    await completeFailed(world.db, { id: row!.id, attempt: claim!.attempt, error: 'ECONNECTION ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:25', permanent: false, retryAt: new Date(Date.now() + 60_000) });
    expect(await undeliveredReminders(world.db, { roundId, now: '2015-03-24T02:00:00.000Z' })).toEqual([
      expect.objectContaining({ unitId: unit!.id, problem: 'at-risk', status: 'queued', attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED/) }),
    ]);
    expect(await undeliveredReminders(world.db, { roundId, now: '2015-03-25T00:00:00.000Z' })).toEqual([
      expect.objectContaining({ unitId: unit!.id, problem: 'undelivered' }),
    ]);
  });
});
