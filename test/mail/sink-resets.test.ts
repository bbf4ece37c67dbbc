import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { listStoredMessages, startMailSink } from '../../client/mail-sink';

/**
 * The sink outlives its clients: a worker killed with SIGKILL in the middle of an SMTP transaction resets
 * its socket, and the process hosting the sink (the main job, a test) must neither crash nor stop serving.
 * (CI failed once on exactly this: an unhandled `error` event, "read ECONNRESET", in the worker-restart test.)
 */
describe('the mail sink when a client resets its connection', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-sink-resets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps serving, and reports no error, after clients vanish mid-transaction', async () => {
    const reported: Error[] = [];
    const sink = await startMailSink({ dir, onConnectionError: (err) => reported.push(err) });
    try {
      for (let i = 0; i < 4; i++) await resetMidTransaction(sink.port);
      const transport = nodemailer.createTransport({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true });
      await transport.sendMail({ from: 'kybao@example.vn', to: 'so-tai-chinh@example.vn', subject: 'Sau khi mất kết nối', text: 'vẫn nhận' });
      transport.close();
      const stored = await listStoredMessages(dir);
      expect(stored.map((m) => m.subject)).toEqual(['Sau khi mất kết nối']);
      expect(reported).toEqual([]);
    } finally {
      await sink.close();
    }
  });
});

/** Opens a transaction, sends half a message, then resets the socket (RST, as a killed process's kernel does). */
async function resetMidTransaction(port: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  const replies = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => ((received.match(/^\d{3} /gm) ?? []).length >= count ? resolve() : undefined);
      socket.on('data', (d: Buffer) => {
        received += d.toString();
        check();
      });
      socket.once('error', reject);
      check();
    });
  await replies(1); // banner
  socket.write('EHLO worker\r\nMAIL FROM:<kybao@example.vn>\r\nRCPT TO:<ubnd@example.vn>\r\nDATA\r\n');
  await replies(5);
  socket.write('Subject: half\r\n\r\nhalf a message');
  await new Promise((r) => setTimeout(r, 50));
  socket.resetAndDestroy();
  // Let the server read the reset before the next client comes.
  await new Promise((r) => setTimeout(r, 100));
}
