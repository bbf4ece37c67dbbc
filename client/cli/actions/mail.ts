import path from 'node:path';
import { DateTime } from 'luxon';
import { createPrismaClient } from '../../../infra/db/client';
import { REPO_ROOT } from '../../../infra/db/database-url';
import { listNotifications, undeliveredReminders, NOTIFICATION_STATUSES, type NotificationStatusValue } from '../../../infra/db/outbox-repository';
import { checkMailTemplates } from '../../../activities/mail/render';
import { loadMailTemplates } from '../../../activities/mail/templates';
import { loadProgramFile } from '../../../domain/program/load-file';
import { listStoredMessages, readStoredMessage } from '../../mail-sink';

/**
 * `kybao mail`: what the local sink received (list, show), what the outbox could not deliver
 * (undelivered reminders, the outbox itself), and a check of the operator's templates.
 *
 * The sink folder is KYBAO_MAIL_SINK_DIR (default .data/mail, relative to the repository), the
 * database DATABASE_URL; both can be given as options.
 */
const ZONE = 'Asia/Ho_Chi_Minh';

function sinkDir(opt?: string): string {
  return path.resolve(REPO_ROOT, opt ?? process.env.KYBAO_MAIL_SINK_DIR ?? '.data/mail');
}

function local(iso: string | null): string {
  return iso ? DateTime.fromISO(iso, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss') : '';
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function json(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

async function withDb<T>(url: string | undefined, fn: (db: ReturnType<typeof createPrismaClient>) => Promise<T>): Promise<T> {
  const db = createPrismaClient(url ?? process.env.DATABASE_URL ?? 'file:./.data/kybao.db');
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

export type MailListFlags = { dir?: string; json?: boolean };

/** `kybao mail list`: the messages the local sink received, oldest first. */
export async function listMail(opts: MailListFlags): Promise<void> {
  const dir = sinkDir(opts.dir);
  const messages = await listStoredMessages(dir);
  if (opts.json) return json(messages);
  if (!messages.length) return out(`no messages in ${dir}`);
  out(
    table(
      ['ID', 'RECEIVED', 'TO', 'SUBJECT'],
      messages.map((m) => [m.id, local(m.receivedAt), truncate(m.envelopeTo.join(', '), 48), m.subject]),
    ),
  );
  out(`${messages.length} message(s) in ${dir}; read one with: kybao mail show ID`);
}

export type MailShowFlags = { dir?: string; html?: boolean; raw?: boolean; json?: boolean };

/** `kybao mail show ID`: one message of the local sink. */
export async function showMail(id: string, opts: MailShowFlags): Promise<void> {
  const { message, raw } = await readStoredMessage(sinkDir(opts.dir), id);
  if (opts.json) return json(message);
  if (opts.raw) return out(raw);
  const idempotencyKey = /^X-Kybao-Idempotency-Key:\s*(.+)$/im.exec(raw)?.[1]?.trim();
  out(
    [
      `ID:          ${message.id}`,
      `Received:    ${local(message.receivedAt)}`,
      `Message-ID:  ${message.messageId ?? ''}`,
      ...(idempotencyKey ? [`Key:         ${idempotencyKey}`] : []),
      `From:        ${message.from}`,
      `To:          ${message.to.join(', ')}`,
      `Envelope to: ${message.envelopeTo.join(', ')}`,
      `Subject:     ${message.subject}`,
      '',
      opts.html ? (message.html ?? '(no HTML part)') : message.text,
    ].join('\n'),
  );
}

export type MailUndeliveredFlags = { round?: string; database?: string; json?: boolean };

/** `kybao mail undelivered`: reminders that did not reach their unit before its deadline. */
export async function undeliveredMail(opts: MailUndeliveredFlags): Promise<void> {
  const rows = await withDb(opts.database, (db) => undeliveredReminders(db, { roundId: opts.round }));
  if (opts.json) return json(rows);
  if (!rows.length) return out(opts.round ? `every reminder of ${opts.round} reached its unit before the deadline` : 'every reminder reached its unit before the deadline');
  const byRound = new Map<string, typeof rows>();
  for (const r of rows) byRound.set(r.roundId, [...(byRound.get(r.roundId) ?? []), r]);
  for (const [roundId, list] of byRound) {
    out(`${roundId}: ${list.length} reminder(s) not delivered before the deadline`);
    out(
      table(
        ['UNIT', 'DAYS BEFORE', 'DUE', 'PROBLEM', 'ATTEMPTS', 'SENT', 'LAST ERROR'],
        list.map((r) => [r.unitId, r.step ?? '', local(r.dueAt), r.problem, String(r.attempts), local(r.sentAt), truncate(r.lastError ?? '', 80)]),
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
}

export type MailOutboxFlags = { round?: string; status?: string; database?: string; json?: boolean };

/** `kybao mail outbox`: notifications with their delivery state. */
export async function outboxMail(opts: MailOutboxFlags): Promise<void> {
  if (opts.status && !(NOTIFICATION_STATUSES as readonly string[]).includes(opts.status)) {
    throw new Error(`--status "${opts.status}" is not one of ${NOTIFICATION_STATUSES.join(', ')}`);
  }
  const rows = await withDb(opts.database, (db) =>
    listNotifications(db, { roundId: opts.round, status: opts.status as NotificationStatusValue | undefined }),
  );
  if (opts.json) return json(rows);
  if (!rows.length) return out('the outbox is empty for this selection');
  out(
    table(
      ['ID', 'STATUS', 'ATTEMPTS', 'KEY', 'TO', 'SENT', 'LAST ERROR'],
      rows.map((n) => [String(n.id), n.status, String(n.attempts), n.idempotencyKey, truncate(n.recipients.map((r) => r.email).join(', '), 40), local(n.sentAt), truncate(n.lastError ?? '', 60)]),
    ),
  );
}

export type MailCheckTemplatesFlags = { dir?: string; program: string };

/** `kybao mail check-templates`: renders every template against a full sample; exit 1 naming each failure. */
export function checkTemplates(opts: MailCheckTemplatesFlags): void {
  const templates = loadMailTemplates(opts.dir ?? process.env.KYBAO_MAIL_TEMPLATES_DIR ?? 'templates/mail');
  const problems = checkMailTemplates(templates, loadProgramFile(opts.program));
  if (!problems.length) return out(`${templates.dir}: every template renders`);
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.exitCode = 1;
}
