import { mkdir, readdir, readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser } from 'mailparser';

/**
 * The embedded mail sink: a real SMTP server on loopback that keeps every message it accepts, so the
 * main job and the tests see exactly what agencies would receive. Messages are stored one pair of files
 * per message in a folder (`<seq>.eml` and `<seq>.json`), so they survive restarts and can be read by
 * `kybao mail list` without the server running.
 */
export interface StoredMessage {
  id: string;
  receivedAt: string;
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string | null;
  /** The X-Kybao-Idempotency-Key header kybao's dispatcher sets (one per notification), if any. */
  idempotencyKey?: string | null;
  subject: string;
  from: string;
  to: string[];
  text: string;
  html: string | null;
}

export interface MailSinkOptions {
  dir: string;
  port?: number;
  host?: string;
  /** Lets a test refuse a recipient with a permanent (5xx) or temporary (4xx) SMTP reply. */
  rejectRecipient?: (address: string) => { code: number; message: string } | undefined;
  /**
   * A fault switch for fault scenarios: while it returns a reply, every transaction is refused at
   * MAIL FROM with it (e.g. 451 for "try again later"), as a server under maintenance would.
   */
  refuseMail?: () => { code: number; message: string } | undefined;
  onMessage?: (message: StoredMessage) => void;
  /**
   * Errors of one connection that are not a peer going away (those are expected: a worker killed in the
   * middle of a transaction resets its socket). Default: a line on stderr. The sink keeps serving either way.
   */
  onConnectionError?: (err: Error) => void;
}

/** Socket errors that only mean the client went away (a killed worker, a dropped pool connection). */
const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

export interface MailSink {
  host: string;
  port: number;
  dir: string;
  close(): Promise<void>;
}

export async function startMailSink(options: MailSinkOptions): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dir, { recursive: true });
  let seq = await lastSequence(options.dir);

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'kybao mail sink',
    onMailFrom(_address: SMTPServerAddress, _session, callback) {
      const refusal = options.refuseMail?.();
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const rejection = options.rejectRecipient?.(address.address);
      if (!rejection) return callback();
      const err = Object.assign(new Error(rejection.message), { responseCode: rejection.code });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        seq += 1;
        const id = String(seq).padStart(6, '0');
        store(options.dir, id, raw, session.envelope)
          .then((message) => {
            options.onMessage?.(message);
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The SMTP server re-emits every connection's error on itself; without a listener one client resetting
  // its socket (a worker killed with SIGKILL mid-transaction) would crash the process that hosts the sink.
  server.on('error', (err: Error & { code?: string }) => {
    if (err.code && PEER_GONE.has(err.code)) return;
    if (options.onConnectionError) options.onConnectionError(err);
    else console.error(`mail sink: a connection failed: ${err.message}`);
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    host,
    port,
    dir: options.dir,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function store(
  dir: string,
  id: string,
  raw: Buffer,
  envelope: { mailFrom: false | SMTPServerAddress; rcptTo: SMTPServerAddress[] },
): Promise<StoredMessage> {
  // What is stored is the text and HTML parts as sent: no text-to-HTML rendering and link detection
  // (the parser's slowest steps, which bounded the sink to about 150 messages/s).
  const parsed = await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const addresses = (value: typeof parsed.to): string[] =>
    (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
  const message: StoredMessage = {
    id,
    receivedAt: new Date().toISOString(),
    envelopeFrom: envelope.mailFrom ? envelope.mailFrom.address : '',
    envelopeTo: envelope.rcptTo.map((r) => r.address),
    messageId: parsed.messageId ?? null,
    idempotencyKey: (parsed.headers.get('x-kybao-idempotency-key') as string | undefined) ?? null,
    subject: parsed.subject ?? '',
    from: parsed.from?.value[0]?.address ?? '',
    to: addresses(parsed.to),
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
  };
  await writeFile(path.join(dir, `${id}.eml`), raw);
  // Write-then-rename so a reader never sees half a JSON file.
  const tmp = path.join(dir, `.${id}.json.tmp`);
  await writeFile(tmp, JSON.stringify(message, null, 2));
  await rename(tmp, path.join(dir, `${id}.json`));
  return message;
}

async function lastSequence(dir: string): Promise<number> {
  const ids = (await readdir(dir)).filter((f) => /^\d+\.json$/.test(f)).map((f) => Number.parseInt(f, 10));
  return ids.length ? Math.max(...ids) : 0;
}

/** Every stored message, oldest first. */
export async function listStoredMessages(dir: string): Promise<StoredMessage[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const names = files.filter((f) => /^\d+\.json$/.test(f)).sort();
  return Promise.all(names.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as StoredMessage));
}

export async function readStoredMessage(dir: string, id: string): Promise<{ message: StoredMessage; raw: string }> {
  const key = /^\d+$/.test(id) ? id.padStart(6, '0') : id;
  try {
    const message = JSON.parse(await readFile(path.join(dir, `${key}.json`), 'utf8')) as StoredMessage;
    const raw = await readFile(path.join(dir, `${key}.eml`), 'utf8');
    return { message, raw };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`no message "${id}" in ${dir}; run "kybao mail list" to see the stored ids`, { cause: err });
    }
    throw err;
  }
}
