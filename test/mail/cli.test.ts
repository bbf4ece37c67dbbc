import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import nodemailer from 'nodemailer';
import { claimNotification, completeFailed, listNotifications } from '../../infra/db/outbox-repository';
import { register } from '../../client/cli/commands/mail';
import { startMailSink, type MailSink } from '../../client/mail-sink';
import { createWorld, type World } from '../helpers/world';
import { seedRound } from './helpers';

/** `kybao mail list | show | undelivered | outbox | check-templates`. */
async function kybao(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const program = new Command('kybao').exitOverride();
  register(program);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'kybao', ...args]);
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('kybao mail', () => {
  let dir: string;
  let sink: MailSink;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-cli-mail-'));
    sink = await startMailSink({ dir });
    const transport = nodemailer.createTransport({ host: sink.host, port: sink.port, secure: false, tls: { rejectUnauthorized: false } });
    await transport.sendMail({
      from: 'kybao <no-reply@kybao.example>',
      to: 'contact.so-noi-vu@thaibinh.example',
      subject: '[kybao] Nhắc hạn nộp báo cáo (còn 3 ngày làm việc): Báo cáo quý I/2015',
      text: 'Kính gửi: Sở Nội vụ\n\nHạn nộp: trước 00:00 Thứ Tư, 25/03/2015\n',
      html: '<p>Kính gửi: Sở Nội vụ</p>',
      messageId: '<kybao.abc@kybao.example>',
      headers: { 'X-Kybao-Idempotency-Key': 'r|so-noi-vu|reminder|3' },
    });
    await transport.sendMail({ from: 'no-reply@kybao.example', to: 'head.so-khdt@thaibinh.example', subject: '[kybao] Report overdue', text: 'Overdue.\n' });
    transport.close();
  });
  afterAll(async () => {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('list: one line per message, oldest first', async () => {
    const r = await kybao('mail', 'list', '--dir', dir);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+RECEIVED\s+TO\s+SUBJECT$/);
    expect(lines[1]).toMatch(/^000001\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+contact\.so-noi-vu@thaibinh\.example\s+\[kybao\] Nhắc hạn nộp báo cáo \(còn 3 ngày làm việc\): Báo cáo quý I\/2015$/);
    expect(lines[2]).toMatch(/^000002\s+.*head\.so-khdt@thaibinh\.example\s+\[kybao\] Report overdue$/);
    expect(lines[3]).toBe(`2 message(s) in ${dir}; read one with: kybao mail show ID`);
  });

  test('list --json', async () => {
    const r = await kybao('mail', 'list', '--dir', dir, '--json');
    const messages = JSON.parse(r.stdout) as Array<{ id: string; subject: string; text: string; messageId: string }>;
    expect(messages.map((m) => m.id)).toEqual(['000001', '000002']);
    expect(messages[0]).toMatchObject({ messageId: '<kybao.abc@kybao.example>', text: 'Kính gửi: Sở Nội vụ\n\nHạn nộp: trước 00:00 Thứ Tư, 25/03/2015\n' });
  });

  test('show ID: headers, the idempotency key and the text; --html; a missing id says what to do', async () => {
    const r = await kybao('mail', 'show', '1', '--dir', dir);
    expect(r.stdout).toContain('ID:          000001\n');
    expect(r.stdout).toContain('Message-ID:  <kybao.abc@kybao.example>\n');
    expect(r.stdout).toContain('Key:         r|so-noi-vu|reminder|3\n');
    expect(r.stdout).toContain('To:          contact.so-noi-vu@thaibinh.example\n');
    expect(r.stdout).toContain('Subject:     [kybao] Nhắc hạn nộp báo cáo (còn 3 ngày làm việc): Báo cáo quý I/2015\n');
    expect(r.stdout).toContain('\nKính gửi: Sở Nội vụ\n\nHạn nộp: trước 00:00 Thứ Tư, 25/03/2015\n');
    expect((await kybao('mail', 'show', '000001', '--dir', dir, '--html')).stdout).toContain('<p>Kính gửi: Sở Nội vụ</p>');
    expect((await kybao('mail', 'show', '1', '--dir', dir, '--raw')).stdout).toMatch(/^X-Kybao-Idempotency-Key: r\|so-noi-vu\|reminder\|3/m);
    await expect(kybao('mail', 'show', '9', '--dir', dir)).rejects.toThrow(/no message "9" in .*; run "kybao mail list"/);
  });

  test('check-templates: the shipped templates render', async () => {
    const r = await kybao('mail', 'check-templates');
    expect(r.stdout).toMatch(/templates\/mail: every template renders\n$/);
    expect(r.exitCode).toBe(0);
  });

  test('bin/kybao has the mail command, reading KYBAO_MAIL_SINK_DIR', () => {
    const r = spawnSync(path.join(__dirname, '../../bin/kybao'), ['mail', 'list'], { encoding: 'utf8', env: { ...process.env, KYBAO_MAIL_SINK_DIR: dir } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('2 message(s) in');
    expect(r.status).toBe(0);
  });

  describe('with a database', () => {
    let world: World;
    beforeAll(async () => {
      world = await createWorld();
    });
    afterAll(async () => {
      await world?.close();
    });

    test('undelivered: failed reminders, per round; outbox: every row with its state', async () => {
      const roundId = 'cli:2015-Q1';
      await seedRound(world, roundId, ['so-noi-vu', 'so-khdt']);
      await world.activities.notify({ roundId, kind: 'reminder', step: 3, unitIds: ['so-noi-vu', 'so-khdt'], at: '2015-03-20T01:00:00.000Z' });
      const [row] = await listNotifications(world.db, { roundId, unitId: 'so-noi-vu' });
      const claim = await claimNotification(world.db, { row: row!, leaseUntil: new Date(Date.now() + 60_000), messageId: '<m@kybao.example>', at: new Date() });
      await completeFailed(world.db, { id: row!.id, attempt: claim!.attempt, error: 'EENVELOPE at RCPT TO: Recipient command failed: 550 5.1.1 mailbox unavailable', permanent: true });

      const r = await kybao('mail', 'undelivered', '--database', world.url);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`${roundId}: 2 reminder(s) not delivered before the deadline`);
      expect(lines[1]).toMatch(/^\s+UNIT\s+DAYS BEFORE\s+DUE\s+PROBLEM\s+ATTEMPTS\s+SENT\s+LAST ERROR$/);
      expect(lines[2]).toMatch(/^\s+so-noi-vu\s+3\s+2015-03-25 00:00:00\s+failed\s+1\s+EENVELOPE at RCPT TO: .*550 5\.1\.1/);
      // not attempted and past its (2015) deadline
      expect(lines[3]).toMatch(/^\s+so-khdt\s+3\s+2015-03-25 00:00:00\s+undelivered\s+0/);
      const json = JSON.parse((await kybao('mail', 'undelivered', '--database', world.url, '--round', roundId, '--json')).stdout);
      expect(json).toEqual([expect.objectContaining({ unitId: 'so-noi-vu', problem: 'failed' }), expect.objectContaining({ unitId: 'so-khdt', problem: 'undelivered' })]);

      const outbox = await kybao('mail', 'outbox', '--database', world.url, '--status', 'failed');
      expect(outbox.stdout).toMatch(/^ID\s+STATUS\s+ATTEMPTS\s+KEY\s+TO\s+SENT\s+LAST ERROR\n\d+\s+failed\s+1\s+cli:2015-Q1\|so-noi-vu\|reminder\|3\s+contact\.so-noi-vu@thaibinh\.example\s+EENVELOPE/);
      await expect(kybao('mail', 'outbox', '--database', world.url, '--status', 'lost')).rejects.toThrow(/--status "lost" is not one of queued, sending, sent, failed/);
    });
  });
});
