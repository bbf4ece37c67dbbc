import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { OutboxDispatcher, dispatcherOptionsFromEnv } from '../../activities/mail/dispatcher';
import { sinkFolderAcceptanceCheck } from '../../activities/mail/in-doubt';
import { messageIdFor, senderDomain } from '../../activities/mail/message-id';
import { createMailTransport } from '../../activities/mail/transport';
import { startMailSink, type MailSink } from '../../client/mail-sink';
import { loadProgramFile } from '../../domain/program/load-file';
import { readEnv, type Env } from '../../infra/config';
import { createPrismaClient, type Db } from '../../infra/db/client';
import { ensureClientsGenerated, migrateDeploy } from '../../infra/db/migrate';
import { loadProgram } from '../../infra/db/program-repository';
import { createActivities } from '../../activities';
import { upsertObligations, upsertRound } from '../../infra/db/round-repository';
import type { BenchContext } from '../context';
import { makeRow, type FigureDraft } from '../results';
import { median, round3 } from '../stats';

/**
 * Issue #14, figure 4: how fast the outbox dispatcher (activities/mail/dispatcher.ts) delivers 10,000
 * queued notifications to the local sink (client/mail-sink.ts) with the rate limit off
 * (SMTP_RATE_PER_SECOND at its maximum), against a bare nodemailer loop sending the same messages
 * through the same pool size to the same sink. Messages per second; the ratio is what the outbox's
 * exactly-once bookkeeping (claims, completions, audit rows in SQLite) costs.
 */
const POOL_SIZE = 5;

interface Message {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  headers: Record<string, string>;
}

/** Real notifications: the default program's units get an opening notice for a round, rendered by the notify activity. */
async function renderedTemplates(db: Db, env: Env): Promise<Array<{ recipients: string; language: string; subject: string; bodyText: string; bodyHtml: string | null; kind: string }>> {
  const program = loadProgramFile();
  await loadProgram(db, program, { actor: 'bench' });
  const units = program.units.filter((u) => u.reports).map((u) => u.id);
  const roundId = `${program.id}:bench-mail`;
  await upsertRound(db, {
    id: roundId,
    programId: program.id,
    year: 2015,
    kind: 'quarterly-report',
    title: { vi: 'Báo cáo đánh giá tình hình thực hiện quý I/2015', en: 'Implementation report, Q1 2015' },
    subject: null,
    deadline: '2015-03-24T17:00:00.000Z',
    openedAt: '2015-03-01T17:00:00.000Z',
    actor: 'bench',
  });
  await upsertObligations(db, { roundId, obligations: units.map((unitId) => ({ unitId, dueAt: '2015-03-24T17:00:00.000Z' })), actor: 'bench', at: '2015-03-01T17:00:00.000Z' });
  const mailer = createMailTransport(env);
  try {
    const acts = createActivities({ db, mailer, env });
    await acts.notify({ roundId, kind: 'reminder', step: 3, unitIds: units, at: '2015-03-19T01:00:00.000Z' });
  } finally {
    mailer.close();
  }
  const rows = await db.notification.findMany({ where: { roundId } });
  await db.notification.deleteMany({ where: { roundId } });
  return rows;
}

/** Queues `count` notifications (copies of the rendered ones, each with its own key) in one statement per 1,000. */
async function queue(db: Db, templates: Awaited<ReturnType<typeof renderedTemplates>>, count: number, batch: string, mailFrom: string): Promise<void> {
  const now = new Date();
  for (let start = 0; start < count; start += 1000) {
    await db.notification.createMany({
      data: Array.from({ length: Math.min(1000, count - start) }, (_, k) => {
        const i = start + k;
        const t = templates[i % templates.length]!;
        const idempotencyKey = `bench-${batch}|${i}`;
        // As the notify activity queues them: with their Message-ID.
        const messageId = messageIdFor(idempotencyKey, senderDomain(mailFrom));
        return { idempotencyKey, messageId, kind: t.kind, step: '3', recipients: t.recipients, language: t.language, subject: t.subject, bodyText: t.bodyText, bodyHtml: t.bodyHtml, status: 'queued', attempts: 0, createdAt: now, updatedAt: now };
      }),
    });
  }
}

/** The same messages the dispatcher sends (same headers and Message-IDs), read before the clock starts. */
async function asMessages(db: Db, batch: string, from: string): Promise<Message[]> {
  const rows = await db.notification.findMany({ where: { idempotencyKey: { startsWith: `bench-${batch}|` } }, orderBy: { id: 'asc' } });
  return rows.map((n) => ({
    from,
    to: (JSON.parse(n.recipients) as Array<{ email: string }>).map((r) => r.email),
    subject: n.subject,
    text: n.bodyText,
    ...(n.bodyHtml ? { html: n.bodyHtml } : {}),
    messageId: n.messageId!,
    headers: { 'X-Kybao-Idempotency-Key': n.idempotencyKey, 'Auto-Submitted': 'auto-generated' },
  }));
}

/** Wall and CPU time of this process (sender and sink: both sides run in it alike), in ms. */
interface Spent {
  ms: number;
  cpuMs: number;
}

function stopwatch(): () => Spent {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { ms: Number(process.hrtime.bigint() - wall) / 1e6, cpuMs: (used.user + used.system) / 1000 };
  };
}

/** The baseline: nodemailer's pool, no rate limit, no database, `POOL_SIZE × 2` sends in flight. */
async function bareLoop(sink: MailSink, messages: Message[]): Promise<Spent> {
  const transport = nodemailer.createTransport({ host: sink.host, port: sink.port, pool: true, maxConnections: POOL_SIZE, logger: false });
  const stop = stopwatch();
  let next = 0;
  const lane = async () => {
    while (next < messages.length) await transport.sendMail(messages[next++]!);
  };
  await Promise.all(Array.from({ length: POOL_SIZE * 2 }, lane));
  const spent = stop();
  transport.close();
  return spent;
}

/** kybao: the dispatcher as the worker runs it, draining the outbox. */
async function dispatcherRun(db: Db, env: Env, sink: MailSink): Promise<Spent> {
  const transport = createMailTransport(env);
  const dispatcher = new OutboxDispatcher(dispatcherOptionsFromEnv(env, { db, transport }, { acceptance: sinkFolderAcceptanceCheck(sink.dir), log: () => undefined }));
  const stop = stopwatch();
  await dispatcher.drain({ timeoutMs: 3_600_000 });
  const spent = stop();
  transport.close();
  return spent;
}

export async function mailThroughput(ctx: BenchContext): Promise<FigureDraft> {
  const count = ctx.quick ? 200 : 10_000;
  const dir = path.join(ctx.tmp, 'mail');
  mkdirSync(dir, { recursive: true });
  await ensureClientsGenerated({ log: () => undefined });
  const url = `file:${path.join(dir, 'outbox.db')}`;
  await migrateDeploy(url, { log: () => undefined });
  const db = createPrismaClient(url);
  const kybaoRates: number[] = [];
  const bareRates: number[] = [];
  const kybaoCpu: number[] = [];
  const bareCpu: number[] = [];
  try {
    const env0 = readEnv({ DATABASE_URL: url, SMTP_RATE_PER_SECOND: '1000', SMTP_POOL_SIZE: String(POOL_SIZE) });
    const templates = await renderedTemplates(db, env0);
    for (let run = 0; run < ctx.runs; run++) {
      // A fresh sink folder per run, shared by both sides (it parses and stores every message).
      const sink = await startMailSink({ dir: path.join(dir, `sink-${run}`) });
      const env = readEnv({ DATABASE_URL: url, SMTP_HOST: sink.host, SMTP_PORT: String(sink.port), SMTP_RATE_PER_SECOND: '1000', SMTP_POOL_SIZE: String(POOL_SIZE), KYBAO_MAIL_SINK_DIR: sink.dir });
      try {
        await queue(db, templates, count, `k${run}`, env.MAIL_FROM);
        await queue(db, templates, count, `b${run}`, env.MAIL_FROM);
        const bareMessages = await asMessages(db, `b${run}`, env.MAIL_FROM);
        await db.notification.deleteMany({ where: { idempotencyKey: { startsWith: `bench-b${run}|` } } });
        // Alternate which side goes first, so neither always meets a warmer sink.
        const sides = [
          async () => {
            const spent = await dispatcherRun(db, env, sink);
            kybaoRates.push(count / (spent.ms / 1000));
            kybaoCpu.push(spent.cpuMs / count);
          },
          async () => {
            const spent = await bareLoop(sink, bareMessages);
            bareRates.push(count / (spent.ms / 1000));
            bareCpu.push(spent.cpuMs / count);
          },
        ];
        for (const side of run % 2 ? sides.reverse() : sides) await side();
        const sent = await db.notification.count({ where: { idempotencyKey: { startsWith: `bench-k${run}|` }, status: 'sent' } });
        if (sent !== count) throw new Error(`the dispatcher sent ${sent} of ${count} notifications`);
        ctx.log(
          `mail run ${run + 1}: outbox ${round3(kybaoRates.at(-1)!)} messages/s (${round3(kybaoCpu.at(-1)!)} ms CPU each), ` +
            `bare nodemailer ${round3(bareRates.at(-1)!)} messages/s (${round3(bareCpu.at(-1)!)} ms CPU each)`,
        );
      } finally {
        await sink.close();
        rmSync(sink.dir, { recursive: true, force: true });
      }
    }
  } finally {
    await db.$disconnect();
  }
  return {
    id: 'mail-throughput',
    title: 'Mail throughput',
    method:
      `${count.toLocaleString('en-US')} queued notifications (copies of a rendered reminder of the default program, each with its own key) ` +
      `delivered by the outbox dispatcher to the local SMTP sink on loopback, SQLite outbox, SMTP_RATE_PER_SECOND=1000 (its maximum), ` +
      `SMTP_POOL_SIZE=${POOL_SIZE}; baseline: the same messages sent by a bare nodemailer pool of ${POOL_SIZE} connections with ` +
      `${POOL_SIZE * 2} sends in flight and no rate limit, to the same sink in the same run. Messages per second, median of ${ctx.runs} run(s). ` +
      `Both sides run in one process with the sink; its CPU time per message (sender and sink) is given too, since it depends less on ` +
      `what else the machine is doing than wall time.`,
    rows: [
      makeRow({
        name: `${count.toLocaleString('en-US')} notifications`,
        unit: 'messages/s',
        better: 'higher',
        kybao: { name: 'outbox dispatcher', runs: kybaoRates },
        baseline: { name: 'bare nodemailer loop', runs: bareRates },
        target: null,
        details: {
          'CPU per message, outbox (ms)': round3(median(kybaoCpu)),
          'CPU per message, bare loop (ms)': round3(median(bareCpu)),
          'CPU ratio': round3(median(kybaoCpu) / median(bareCpu)),
        },
        median,
      }),
    ],
    breakdown: [],
    notes: [],
    todo: null,
  };
}
