import { type Command } from 'commander';
import { defaultProgramPath } from '../../../domain/program/default-path';
import { NOTIFICATION_STATUSES } from '../../../infra/db/outbox-repository';
import type { MailCheckTemplatesFlags, MailListFlags, MailOutboxFlags, MailShowFlags, MailUndeliveredFlags } from '../actions/mail';

/**
 * `kybao mail`: what the local sink received (list, show), what the outbox could not deliver
 * (undelivered reminders, the outbox itself), and a check of the operator's templates.
 */
export function register(program: Command): void {
  const mail = program.command('mail').description('E-mail: messages in the local sink, undelivered notifications, template check');

  mail
    .command('list')
    .description('List the messages the local mail sink received, oldest first (times in Asia/Ho_Chi_Minh)')
    .option('--dir <DIR>', 'sink folder (default: KYBAO_MAIL_SINK_DIR or .data/mail)')
    .option('--json', 'print JSON: every stored message with its text and HTML')
    .action(async (opts: MailListFlags) => (await import('../actions/mail')).listMail(opts));

  mail
    .command('show')
    .description('Show one message of the local mail sink: headers and the plain-text body (or --html, --raw)')
    .argument('<id>', 'message id as listed by "kybao mail list" (leading zeros optional)')
    .option('--dir <DIR>', 'sink folder (default: KYBAO_MAIL_SINK_DIR or .data/mail)')
    .option('--html', 'print the HTML part instead of the text')
    .option('--raw', 'print the message exactly as received (RFC 5322)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: MailShowFlags) => (await import('../actions/mail')).showMail(id, opts));

  mail
    .command('undelivered')
    .description(
      'Reminders that did not reach their unit before its deadline: failed, delivered late, still undelivered after the deadline, or retrying (at risk)',
    )
    .option('--round <ID>', 'only this round')
    .option('--database <URL>', 'database (default: DATABASE_URL or file:./.data/kybao.db)')
    .option('--json', 'print JSON')
    .action(async (opts: MailUndeliveredFlags) => (await import('../actions/mail')).undeliveredMail(opts));

  mail
    .command('outbox')
    .description('Notifications in the outbox with their delivery state (queued, sending, sent, failed)')
    .option('--round <ID>', 'only this round')
    .option('--status <STATUS>', `only this status: ${NOTIFICATION_STATUSES.join(', ')}`)
    .option('--database <URL>', 'database (default: DATABASE_URL or file:./.data/kybao.db)')
    .option('--json', 'print JSON')
    .action(async (opts: MailOutboxFlags) => (await import('../actions/mail')).outboxMail(opts));

  mail
    .command('check-templates')
    .description('Render every mail template, in every language, against a full sample; exit 1 naming each file and variable that fails')
    .option('--dir <DIR>', 'templates folder (default: KYBAO_MAIL_TEMPLATES_DIR or templates/mail)')
    .option('--program <FILE>', 'program definition used for the sample', defaultProgramPath)
    .action(async (opts: MailCheckTemplatesFlags) => (await import('../actions/mail')).checkTemplates(opts));
}
