import path from 'node:path';
import { type Command } from 'commander';
import { DateTime } from 'luxon';
import { createPrismaClient } from '../../../infra/db/client';
import { REPO_ROOT } from '../../../infra/db/database-url';
import { listNotifications, undeliveredReminders, NOTIFICATION_STATUSES, type NotificationStatusValue } from '../../../infra/db/outbox-repository';
import { checkMailTemplates } from '../../../activities/mail/render';
import { loadMailTemplates } from '../../../activities/mail/templates';
import { defaultProgramPath, loadProgramFile } from '../../../domain/program/load-file';
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

export function register(program: Command): void {
  const mail = program.command('mail').description('E-mail: messages in the local sink, undelivered notifications, template check');

  mail
    .command('list')
    .description('List the messages the local mail sink received, oldest first (times in Asia/Ho_Chi_Minh)')
    .option('--dir <DIR>', 'sink folder (default: KYBAO_MAIL_SINK_DIR or .data/mail)')
    .option('--json', 'print JSON: every stored message with its text and HTML')
    .action(async (opts: { dir?: string; json?: boolean }) => {
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
    });

  mail
    .command('show')
    .description('Show one message of the local mail sink: headers and the plain-text body (or --html, --raw)')
    .argument('<id>', 'message id as listed by "kybao mail list" (leading zeros optional)')
    .option('--dir <DIR>', 'sink folder (default: KYBAO_MAIL_SINK_DIR or .data/mail)')
    .option('--html', 'print the HTML part instead of the text')
    .option('--raw', 'print the message exactly as received (RFC 5322)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { dir?: string; html?: boolean; raw?: boolean; json?: boolean }) => {
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
    });

  mail
    .command('undelivered')
    .description(
      'Reminders that did not reach their unit before its deadline: failed, delivered late, still undelivered after the deadline, or retrying (at risk)',
    )
    .option('--round <ID>', 'only this round')
    .option('--database <URL>', 'database (default: DATABASE_URL or file:./.data/kybao.db)')
    .option('--json', 'print JSON')
    .action(async (opts: { round?: string; database?: string; json?: boolean }) => {
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
    });

  mail
    .command('outbox')
    .description('Notifications in the outbox with their delivery state (queued, sending, sent, failed)')
    .option('--round <ID>', 'only this round')
    .option('--status <STATUS>', `only this status: ${NOTIFICATION_STATUSES.join(', ')}`)
    .option('--database <URL>', 'database (default: DATABASE_URL or file:./.data/kybao.db)')
    .option('--json', 'print JSON')
    .action(async (opts: { round?: string; status?: string; database?: string; json?: boolean }) => {
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
    });

  mail
    .command('check-templates')
    .description('Render every mail template, in every language, against a full sample; exit 1 naming each file and variable that fails')
    .option('--dir <DIR>', 'templates folder (default: KYBAO_MAIL_TEMPLATES_DIR or templates/mail)')
    .option('--program <FILE>', 'program definition used for the sample', defaultProgramPath)
    .action((opts: { dir?: string; program: string }) => {
      const templates = loadMailTemplates(opts.dir ?? process.env.KYBAO_MAIL_TEMPLATES_DIR ?? 'templates/mail');
      const problems = checkMailTemplates(templates, loadProgramFile(opts.program));
      if (!problems.length) return out(`${templates.dir}: every template renders`);
      for (const p of problems) process.stderr.write(`${p}\n`);
      process.exitCode = 1;
    });
}
