import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { seededRandom } from '../../client/simulate/behaviour';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DateTime } from 'luxon';
import { Client as PgClient } from 'pg';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { startMailSink, listStoredMessages, type MailSink } from '../../client/mail-sink';
import { toolchainExecutable } from '../../client/simulate/environment';
import { wireWorld } from '../../client/simulate/world';
import { roundInput } from '../../domain/round/from-schedule';
import type { RoundInput } from '../../domain/round/schema';
import { pgPoolConfig } from '../../infra/db/database-url';
import { ensureClientsGenerated, migrateDeploy } from '../../infra/db/migrate';
import { waitForTemporal } from '../../infra/wait-for-temporal';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { programWithExtraUnits } from '../scale/synthetic-program';
import { concurrently } from '../scale/world';
import { freePort, spawnWorker, type WorkerProcess } from './worker-process';

/**
 * One fault scenario on real servers in real time: a dev server (its own SQLite file), a kybao database
 * (SQLite; PostgreSQL for two-workers-pg, and a private PostgreSQL server of its own for pg-restart), a loopback SMTP sink with a fault switch, and worker
 * processes (worker/main.ts, each with its outbox dispatcher). Two rounds of `units` units between them:
 *
 * - round A is due tomorrow at 00:00 with one reminder today at T1 (the next whole minute at least a minute
 *   away): part of its units submit before T1, the rest after it (they were reminded), all on time, so
 *   the round closes complete;
 * - round B was due yesterday (tracked from before its deadline, so each unit's overdue notice is due at
 *   once) and escalates today at T2 = T1 + 1 min, to each unit's head and in one digest to the
 *   coordinator and the escalation recipients; part of its units submit late after T2, the rest never,
 *   and it closes at its cut-off T2 + 90 s.
 *
 * Submissions come from concurrent clients through the workflow gateway (as the web app and CLI send
 * them). While all this runs the scenario's faults strike at seeded moments. At the end every
 * notification the rounds queued must be at the sink exactly once (by idempotency key and Message-ID),
 * every reminder and escalation that was due must be among them, every receipt must be stored exactly
 * once with its on-time mark, and both rounds must be closed with the right counts.
 */
export const SCENARIOS = ['worker-sigkill', 'server-restart', 'smtp-refuse', 'smtp-4xx', 'db-locked', 'pg-restart', 'two-workers-pg'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface FaultOptions {
  scenario: Scenario;
  seed: number;
  units: number;
  /** Progress lines (stderr in the script). */
  log?: (line: string) => void;
  keep?: boolean;
}

export interface FaultFigures {
  scenario: Scenario;
  seed: number;
  units: number;
  remindersDue: number;
  escalationsDue: number;
  notifications: number;
  sent: number;
  duplicates: number;
  lost: number;
  submissions: number;
  /** Late reports to round B still unanswered when it closed at its cut-off (the worker was away). */
  missedCutoff: number;
  recorded: number;
  wrongMarks: number;
  roundsClosed: number;
  rounds: number;
  countsRight: boolean;
  faults: string[];
  /** two-workers-pg: activities each worker completed. */
  workerActivities: Record<string, number>;
  problems: string[];
  line: string;
}

const ZONE = 'Asia/Ho_Chi_Minh';

/** A small seeded generator (mulberry32, the simulation's): the same seed gives the same fault moments and submitters. */
export const seeded = seededRandom;

type Override = { year: number; workingDays?: string[] } & Record<string, unknown>;

/** The calendar's overrides with `day` a working day (one override per year: merged into the year's own). */
function withWorkingDay(overrides: Override[], year: number, day: string): Override[] {
  const own = overrides.find((o) => o.year === year);
  if (!own) return [...overrides, { year, workingDays: [day] }];
  return overrides.map((o) => (o === own ? { ...o, workingDays: [...new Set([...(o.workingDays ?? []), day])] } : o));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const run = promisify(execFile);

/**
 * A PostgreSQL server of the scenario's own (scripts/postgres.sh with its own data directory and port),
 * so that restarting it disturbs nothing else. The directory is under /var/tmp: the server runs as the
 * `postgres` user when this is root, and the scenario's own folder is private to root.
 */
async function privatePostgres(tag: string): Promise<{ url: string; start: () => Promise<void>; stop: () => Promise<void>; remove: () => Promise<void> }> {
  const env = { ...process.env, KYBAO_PG_DIR: path.join('/var/tmp', `kybao-fault-pg-${tag}`), KYBAO_PG_PORT: String(await freePort()), KYBAO_PG_DATABASE: 'kybao_faults' };
  const script = path.resolve(__dirname, '..', 'postgres.sh');
  const start = async () => void (await run('bash', [script], { env }));
  const { stdout } = await run('bash', [script], { env });
  const url = /KYBAO_TEST_POSTGRES_URL='([^']+)'/.exec(stdout)?.[1];
  if (!url) throw new Error(`scripts/postgres.sh printed no URL: ${stdout.slice(0, 200)}`);
  const stop = async () => void (await run('bash', [script, 'stop'], { env }));
  return { url, start, stop, remove: async () => rmSync(env.KYBAO_PG_DIR, { recursive: true, force: true }) };
}

export async function runFaultScenario(options: FaultOptions): Promise<FaultFigures> {
  const log = options.log ?? (() => undefined);
  const random = seeded(options.seed);
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  if (options.units < 4) throw new Error(`--units ${options.units}: give at least 4 (two rounds of two units)`);
  const pgUrl = process.env.KYBAO_TEST_POSTGRES_URL;
  if (options.scenario === 'two-workers-pg' && !pgUrl) throw new Error('two-workers-pg needs PostgreSQL: eval "$(bash scripts/postgres.sh)" sets KYBAO_TEST_POSTGRES_URL');

  const dir = mkdtempSync(path.join(os.tmpdir(), `kybao-fault-${options.scenario}-`));
  const cleanups: Array<() => Promise<unknown>> = [];
  const faults: string[] = [];
  const problems: string[] = [];
  try {
    // ---- the kybao database and program --------------------------------------------------------
    await ensureClientsGenerated({ log: () => undefined });
    let url = `file:${path.join(dir, 'kybao.db')}`;
    if (options.scenario === 'two-workers-pg') {
      const name = `kybao_fault_${process.pid}_${options.seed}_${Date.now() % 100000}`;
      const admin = new PgClient(pgPoolConfig(pgUrl!));
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const u = new URL(pgUrl!);
      u.pathname = `/${name}`;
      url = u.toString();
      cleanups.push(async () => {
        const c = new PgClient(pgPoolConfig(pgUrl!));
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      });
    }
    let postgres: Awaited<ReturnType<typeof privatePostgres>> | null = null;
    if (options.scenario === 'pg-restart') {
      postgres = await privatePostgres(`${process.pid}-${options.seed}`);
      const pg = postgres;
      cleanups.push(async () => {
        await pg.stop().catch(() => undefined);
        await pg.remove();
      });
      url = postgres.url;
    }
    await migrateDeploy(url, { log: () => undefined });
    const programId = `faults-${options.units}`;
    const program = programWithExtraUnits(programId, Math.max(0, options.units - 26), 'don-vi');
    const world = await wireWorld({ url, program, dir, actor: 'faults', env: { KYBAO_BASE_URL: 'https://kybao.faults' } });
    cleanups.push(() => world.close());
    const all = program.units.filter((u) => u.reports).map((u) => u.id).slice(0, options.units);

    // ---- the SMTP sink with its fault switch ----------------------------------------------------
    const mailDir = path.join(dir, 'sink');
    let refusing: { code: number; message: string } | undefined;
    let sink: MailSink | null = await startMailSink({ dir: mailDir, refuseMail: () => refusing });
    const smtpPort = sink.port;
    cleanups.push(async () => sink?.close());

    // ---- the Temporal dev server on its own file --------------------------------------------------
    const temporalPort = await freePort();
    const address = `127.0.0.1:${temporalPort}`;
    const temporalDb = path.join(dir, 'temporal.db');
    let server: ChildProcess | null = null;
    const startServer = async () => {
      server = spawn(toolchainExecutable('cli'), ['server', 'start-dev', '--db-filename', temporalDb, '--port', String(temporalPort), '--headless', '--log-level', 'error', '--ip', '127.0.0.1'], { stdio: 'ignore' });
      await waitForTemporal(address, 60_000);
    };
    const stopServer = async () => {
      const s = server;
      if (!s || s.exitCode !== null) return;
      const exited = new Promise((r) => s.once('exit', r));
      s.kill('SIGTERM');
      await exited;
    };
    await startServer();
    cleanups.push(stopServer);

    // ---- workers --------------------------------------------------------------------------------
    const taskQueue = `kybao-faults-${options.scenario}`;
    const workerEnv = {
      TEMPORAL_ADDRESS: address,
      KYBAO_TASK_QUEUE: taskQueue,
      DATABASE_URL: url,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SMTP_TIMEOUT_SECONDS: '5',
      KYBAO_MAIL_SINK_DIR: mailDir,
      MAIL_IN_DOUBT_CHECK: 'sink-folder',
      MAIL_POLL_SECONDS: '0.5',
      MAIL_RETRY_INITIAL_SECONDS: '1',
      MAIL_RETRY_MAX_SECONDS: '4',
      MAIL_CLAIM_LEASE_SECONDS: '10',
      KYBAO_REPORTS_DIR: path.join(dir, 'reports'),
      KYBAO_BASE_URL: 'https://kybao.faults',
      KYBAO_LINK_SECRET: 'faults-link-secret-0123456789abcdef0123456789',
      KYBAO_WORKER_SHUTDOWN_GRACE_SECONDS: '5',
      KYBAO_LOG_LEVEL: 'info',
    };
    const workers = new Map<string, WorkerProcess>();
    const history: WorkerProcess[] = [];
    let generation = 0;
    const startWorker = async (slot: string) => {
      generation += 1;
      const w = spawnWorker(`${slot}#${generation}`, workerEnv);
      workers.set(slot, w);
      history.push(w);
      await w.waitForLine((l) => l.msg === 'kybao worker starting', 90_000);
    };
    cleanups.push(async () => Promise.all([...workers.values()].map((w) => w.stop('SIGKILL'))));
    await startWorker('a');
    if (options.scenario === 'two-workers-pg') await startWorker('b');

    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });
    const gateway = new WorkflowGateway(client, { db: world.db, taskQueue, busyRetryMs: 120_000, updateTimeoutMs: 60_000 });

    // ---- the two rounds -------------------------------------------------------------------------
    const now = DateTime.now().setZone(ZONE);
    const t1 = now.plus({ seconds: 75 }).startOf('minute').plus({ minutes: 1 });
    const t2 = t1.plus({ minutes: 1 });
    if (!t2.hasSame(now, 'day')) throw new Error('the scenario needs T1 and T2 on the same local day as now; start it again after 00:05 +07:00');
    const closeB = t2.plus({ seconds: 90 });
    const half = Math.floor(all.length / 2);
    const [unitsA, unitsB] = [all.slice(0, half), all.slice(half)];
    const today = now.toISODate()!;
    const rulesFor = (input: RoundInput, at: DateTime, kind: 'reminder' | 'escalation'): RoundInput => ({
      ...input,
      shardSize: 50,
      rules: {
        ...input.rules,
        // Today is a working day whatever the weekday, so T1 and T2 fall today.
        calendar: { ...input.rules.calendar, overrides: withWorkingDay((input.rules.calendar.overrides ?? []) as Override[], now.year, today) } as never,
        ...(kind === 'reminder' ? { reminderOffsets: [1], reminderAt: at.toFormat('HH:mm') } : { escalationAt: at.toFormat('HH:mm'), escalationSteps: [{ afterWorkingDays: 1, notify: ['head'] }, { afterWorkingDays: 1, notify: ['coordinator', 'escalation-recipients'] }] }),
      },
    });
    const base = { kind: 'adhoc' as const, year: now.year, title: { vi: 'Báo cáo thử nghiệm sự cố', en: 'Fault scenario report' } };
    const roundA = roundIdOf(programId, `${now.year}-faults-a-${options.seed}`);
    const roundB = roundIdOf(programId, `${now.year}-faults-b-${options.seed}`);
    const deadlineB = now.minus({ days: 1 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
    const inputA = rulesFor(roundInput(world.outline, { ...base, roundId: roundA, deadline: now.plus({ days: 1 }).startOf('day').toISO()!, audience: { unitIds: unitsA } }), t1, 'reminder');
    const inputB = {
      ...rulesFor(roundInput(world.outline, { ...base, roundId: roundB, deadline: deadlineB.toISO()!, audience: { unitIds: unitsB } }), t2, 'escalation'),
      trackFrom: deadlineB.minus({ hours: 1 }).toISO()!,
      closeAt: closeB.toISO()!,
    };
    await client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(roundA), args: [inputA] });
    await client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(roundB), args: [inputB] });
    // Both rounds open (their obligations stored) before anything else happens, or the scenario stops here.
    for (let opened = 0; opened < 2; ) {
      opened = await world.db.round.count({ where: { id: { in: [roundA, roundB] } } });
      for (const id of [roundA, roundB]) {
        const d = await client.workflow.getHandle(roundWorkflowId(id)).describe();
        if (d.status.name !== 'RUNNING' && d.status.name !== 'COMPLETED') throw new Error(`round ${id} ${d.status.name.toLowerCase()} at its start: ${String(((await client.workflow.getHandle(roundWorkflowId(id)).result().catch((e: unknown) => e)) as { cause?: { message?: string } })?.cause?.message ?? '')}`);
      }
      if (opened < 2) await sleep(500);
    }
    log(`rounds ${roundA} (${unitsA.length} units, reminder at ${t1.toFormat('HH:mm')}) and ${roundB} (${unitsB.length} units, escalation at ${t2.toFormat('HH:mm')}, cut-off ${closeB.toFormat('HH:mm:ss')})`);

    // ---- the faults, at seeded moments until the cut-off ------------------------------------------
    let running = true;
    const faultLoop = (async () => {
      const until = closeB.toMillis();
      const next = (lo: number, hi: number) => sleep(between(lo, hi));
      while (running && Date.now() < until) {
        // A restarted worker bundles its workflows first (10–30 s on a busy machine): kills farther apart.
        await next(options.scenario === 'worker-sigkill' ? 20_000 : 8_000, options.scenario === 'worker-sigkill' ? 45_000 : 30_000);
        if (!running || Date.now() >= until) break;
        const at = DateTime.now().setZone(ZONE).toFormat('HH:mm:ss');
        switch (options.scenario) {
          case 'worker-sigkill': {
            const w = workers.get('a')!;
            await w.stop('SIGKILL');
            const down = between(500, 4_000);
            faults.push(`${at} SIGKILL worker pid ${w.pid}, restarted after ${(down / 1000).toFixed(1)} s`);
            await sleep(down);
            await startWorker('a');
            break;
          }
          case 'server-restart': {
            await stopServer();
            const down = between(2_000, 8_000);
            faults.push(`${at} dev server stopped for ${(down / 1000).toFixed(1)} s, restarted on ${path.basename(temporalDb)}`);
            await sleep(down);
            await startServer();
            break;
          }
          case 'smtp-refuse': {
            await sink?.close();
            sink = null;
            const down = between(5_000, 20_000);
            faults.push(`${at} SMTP port closed (connections refused) for ${(down / 1000).toFixed(1)} s`);
            await sleep(down);
            sink = await startMailSink({ dir: mailDir, port: smtpPort, refuseMail: () => refusing });
            break;
          }
          case 'smtp-4xx': {
            const down = between(5_000, 20_000);
            refusing = { code: 451, message: '4.3.0 Temporary failure, try again later' };
            faults.push(`${at} SMTP answers 451 for ${(down / 1000).toFixed(1)} s`);
            await sleep(down);
            refusing = undefined;
            break;
          }
          case 'db-locked': {
            // Another writer holds the SQLite database; the worker waits (10 s busy timeout), then its
            // activities fail and are retried.
            const held = between(3_000, 14_000);
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const Database = require('better-sqlite3') as typeof import('better-sqlite3');
            const other = new Database(path.join(dir, 'kybao.db'));
            other.exec('BEGIN EXCLUSIVE');
            faults.push(`${at} SQLite database locked by another writer for ${(held / 1000).toFixed(1)} s`);
            await sleep(held);
            other.exec('COMMIT');
            other.close();
            break;
          }
          case 'pg-restart': {
            // A fast shutdown: open connections are cut, queries in flight fail; workers and the web
            // layer must reconnect and retry.
            await postgres!.stop();
            const down = between(2_000, 10_000);
            faults.push(`${at} PostgreSQL stopped (fast shutdown) for ${(down / 1000).toFixed(1)} s, then started again`);
            await sleep(down);
            await postgres!.start();
            break;
          }
          case 'two-workers-pg': {
            if (faults.length === 0) {
              const w = workers.get('a')!;
              await w.stop('SIGKILL');
              faults.push(`${at} SIGKILL worker a (pid ${w.pid}); worker b carries on alone`);
              workers.delete('a');
            }
            break;
          }
        }
      }
    })();

    // ---- submissions from concurrent clients ----------------------------------------------------
    type Receipt = { unitId: string; roundId: string; version: number; onTime: boolean; submittedAt: string };
    const receipts: Receipt[] = [];
    const submitErrors: string[] = [];
    const submitAll = async (roundId: string, units: string[]) =>
      concurrently(units, 8, async (unitId) => {
        // A client retries what did not answer (the server or the worker was away), like a person would.
        const giveUp = Date.now() + 180_000;
        for (;;) {
          try {
            const r = await gateway.submitReport(roundId, { unitId, submittedBy: `clerk@${unitId}`, reference: `faults/${unitId}.pdf` }, Date.now());
            receipts.push({ unitId, roundId, version: r.version, onTime: r.onTime, submittedAt: r.submittedAt });
            return;
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            // Final answers: the round's refusal, or its being closed; a timeout (no worker answered) is retried.
            const final = /was refused:|is not in round|has already closed/.test(message) && !/accepted nothing and refused nothing/.test(message);
            if (final || Date.now() > giveUp) {
              submitErrors.push(`${unitId}: ${message}`);
              if (submitErrors.length <= 3) log(`submission of ${unitId} given up: ${message}`);
              return;
            }
            await sleep(1_000);
          }
        }
      });
    const shuffled = [...unitsA].sort(() => random() - 0.5);
    const early = shuffled.slice(0, Math.floor(shuffled.length * 0.4));
    const afterReminder = shuffled.slice(early.length);
    const lateB = [...unitsB].sort(() => random() - 0.5).slice(0, Math.floor(unitsB.length * 0.6));
    await submitAll(roundA, early);
    log(`${receipts.length} early submissions to A before ${DateTime.now().setZone(ZONE).toFormat('HH:mm:ss')}`);
    // The reminded units of A and the late units of B each start at their own moment, whoever is still
    // waiting for an answer (a fault can slow one group down past the other's start).
    await Promise.all([
      sleep(t1.toMillis() + 10_000 - Date.now()).then(() => submitAll(roundA, afterReminder)),
      sleep(t2.toMillis() + 10_000 - Date.now()).then(() => submitAll(roundB, lateB)),
    ]);
    log(`${receipts.length} receipts in all (${submitErrors.length} submissions given up)`);
    await sleep(closeB.toMillis() + 2_000 - Date.now());
    running = false;
    await faultLoop;
    if (!sink) sink = await startMailSink({ dir: mailDir, port: smtpPort, refuseMail: () => refusing });
    refusing = undefined;
    if (options.scenario !== 'two-workers-pg' && !workers.get('a')) await startWorker('a');

    // ---- settle: both rounds closed, the outbox drained -------------------------------------------
    const settleBy = Date.now() + 180_000;
    let settled = false;
    while (Date.now() < settleBy) {
      const rounds = await world.db.round.findMany({ where: { id: { in: [roundA, roundB] } }, select: { status: true } });
      const pending = await world.db.notification.count({ where: { roundId: { in: [roundA, roundB] }, status: { not: 'sent' } } });
      if (rounds.length === 2 && rounds.every((r) => r.status === 'closed') && pending === 0) {
        settled = true;
        break;
      }
      await sleep(1_000);
    }
    if (!settled) problems.push('the rounds did not close or the outbox did not drain within 3 minutes after the cut-off');
    await sleep(1_000);

    // ---- checks ---------------------------------------------------------------------------------
    const notifications = await world.db.notification.findMany({ where: { roundId: { in: [roundA, roundB] } }, select: { idempotencyKey: true, kind: true, unitId: true, roundId: true, status: true, messageId: true, step: true } });
    const messages = (await listStoredMessages(mailDir)).filter((m) => m.idempotencyKey && notifications.some((n) => n.idempotencyKey === m.idempotencyKey));
    const byKey = new Map<string, number>();
    for (const m of messages) byKey.set(m.idempotencyKey!, (byKey.get(m.idempotencyKey!) ?? 0) + 1);
    const byMessageId = new Map<string, number>();
    for (const m of messages) if (m.messageId) byMessageId.set(m.messageId, (byMessageId.get(m.messageId) ?? 0) + 1);
    const duplicates = [...byKey.values()].reduce((s, n) => s + (n - 1), 0) + 0 * [...byMessageId.values()].length;
    const duplicateIds = [...byMessageId.values()].reduce((s, n) => s + (n - 1), 0);
    if (duplicateIds !== duplicates) problems.push(`Message-ID duplicates ${duplicateIds} differ from idempotency-key duplicates ${duplicates}`);
    const lostRows = notifications.filter((n) => !byKey.has(n.idempotencyKey));

    // What was due, decided here from the receipts (not from the outbox): A's reminder for every unit
    // without a receipt before T1; B's escalation to the head for every unit without one before T2.
    const firstReceipt = new Map<string, Receipt>();
    for (const r of receipts) if (r.version === 1) firstReceipt.set(`${r.roundId}|${r.unitId}`, r);
    const submittedBefore = (roundId: string, unitId: string, at: DateTime) => {
      const r = firstReceipt.get(`${roundId}|${unitId}`);
      return r !== undefined && Date.parse(r.submittedAt) < at.toMillis();
    };
    const remindersDue = unitsA.filter((u) => !submittedBefore(roundA, u, t1));
    const escalationsDue = unitsB.filter((u) => !submittedBefore(roundB, u, t2));
    // A shard whose reminder timer fires late (its worker busy or away) takes the submissions that arrived
    // meanwhile first and rightly reminds no one who has submitted: a unit with a receipt between T1 and
    // the moment its reminders were queued may go either way; before T1 it must not be reminded, after
    // that moment (or never) it must be.
    const lastReminderQueued = (await world.db.notification.aggregate({ where: { roundId: roundA, kind: 'reminder' }, _max: { createdAt: true } }))._max.createdAt;
    const remindedBy = DateTime.fromJSDate(lastReminderQueued ?? t1.toJSDate());
    const mustBeReminded = remindersDue.filter((u) => !submittedBefore(roundA, u, remindedBy));
    const sentTo = (roundId: string, kind: string, unitId: string) => notifications.filter((n) => n.roundId === roundId && n.kind === kind && n.unitId === unitId && byKey.has(n.idempotencyKey));
    let lostDue = 0;
    for (const u of mustBeReminded) if (sentTo(roundA, 'reminder', u).length !== 1) lostDue += 1;
    for (const u of remindersDue) if (sentTo(roundA, 'reminder', u).length > 1) problems.push(`unit ${u} reminded ${sentTo(roundA, 'reminder', u).length} times`);
    for (const u of escalationsDue) if (sentTo(roundB, 'escalation', u).length < 1) lostDue += 1;
    for (const n of lostRows.slice(0, 5)) problems.push(`queued but never at the sink: ${n.kind} to ${n.unitId ?? 'the digest'} (${n.idempotencyKey}, status ${n.status})`);
    for (const u of mustBeReminded.filter((x) => sentTo(roundA, 'reminder', x).length !== 1).slice(0, 5)) problems.push(`reminder due but not sent: ${u} (receipt ${firstReceipt.get(`${roundA}|${u}`)?.submittedAt ?? 'none'})`);
    for (const u of escalationsDue.filter((x) => sentTo(roundB, 'escalation', x).length < 1).slice(0, 5)) problems.push(`escalation due but not sent: ${u}`);
    const unexpectedReminders = notifications.filter((n) => n.roundId === roundA && n.kind === 'reminder' && n.unitId && !remindersDue.includes(n.unitId));
    if (unexpectedReminders.length) problems.push(`${unexpectedReminders.length} reminders to units that had submitted before T1`);

    // Receipts: each stored once, with its mark.
    const rows = await world.db.submission.findMany({ where: { obligation: { roundId: { in: [roundA, roundB] } } }, select: { version: true, obligation: { select: { roundId: true, unitId: true, status: true } } } });
    const rowKey = (roundId: string, unitId: string, version: number) => `${roundId}|${unitId}|v${version}`;
    const rowCount = new Map<string, { n: number; status: string }>();
    for (const r of rows) {
      const k = rowKey(r.obligation.roundId, r.obligation.unitId, r.version);
      // The on-time mark is the obligation's: submitted (on time) or late.
      rowCount.set(k, { n: (rowCount.get(k)?.n ?? 0) + 1, status: r.obligation.status });
    }
    let recorded = 0;
    let wrongMarks = 0;
    for (const r of receipts) {
      const row = rowCount.get(rowKey(r.roundId, r.unitId, r.version));
      if (row?.n === 1) recorded += 1;
      const expectedOnTime = r.roundId === roundA;
      if (!row || (row.status === 'submitted') !== r.onTime || r.onTime !== expectedOnTime) wrongMarks += 1;
    }

    // Rounds: closed, with the right counts.
    const unitsSubmittedA = new Set(receipts.filter((r) => r.roundId === roundA).map((r) => r.unitId)).size;
    const unitsLateB = new Set(receipts.filter((r) => r.roundId === roundB).map((r) => r.unitId)).size;
    const closed = await world.db.round.findMany({ where: { id: { in: [roundA, roundB] }, status: 'closed' }, select: { id: true } });
    // A round still open has no result yet (waiting for it would wait until its cut-off).
    const result = async (roundId: string) => {
      const handle = client.workflow.getHandle(roundWorkflowId(roundId));
      if ((await handle.describe()).status.name !== 'COMPLETED') return { counts: null };
      return (await handle.result()) as { counts: Record<string, number> | null };
    };
    const [resA, resB] = await Promise.all([result(roundA), result(roundB)]);
    const countsRight =
      resA.counts?.submitted === unitsSubmittedA &&
      unitsSubmittedA === unitsA.length &&
      resB.counts?.late === unitsLateB &&
      resB.counts?.missing === unitsB.length - unitsLateB;
    if (!countsRight) problems.push(`round counts: A ${JSON.stringify(resA.counts)} (expected ${unitsA.length} submitted), B ${JSON.stringify(resB.counts)} (expected ${unitsLateB} late, ${unitsB.length - unitsLateB} missing)`);
    // A late report the round had no worker to take before its cut-off is missing, by the round's rule:
    // counted, not a fault of the scenario's checks (the counts above come from the receipts).
    const missedCutoff = submitErrors.filter((e) => e.includes(roundB) && /has already closed|is closed/.test(e));
    const otherErrors = submitErrors.filter((e) => !missedCutoff.includes(e));
    if (otherErrors.length) problems.push(`${otherErrors.length} submissions given up: ${otherErrors.slice(0, 3).join('; ')}`);

    const workerActivities: Record<string, number> = {};
    for (const w of history) workerActivities[w.name] = w.lines.filter((l) => l.msg === 'activity completed').length;

    const figures: FaultFigures = {
      scenario: options.scenario,
      seed: options.seed,
      units: all.length,
      remindersDue: remindersDue.length,
      escalationsDue: escalationsDue.length,
      notifications: notifications.length,
      sent: byKey.size,
      duplicates,
      lost: lostRows.length + lostDue,
      submissions: receipts.length,
      missedCutoff: missedCutoff.length,
      recorded,
      wrongMarks,
      roundsClosed: closed.length,
      rounds: 2,
      countsRight,
      faults,
      workerActivities,
      problems,
      line: '',
    };
    figures.line =
      `fault=${figures.scenario} seed=${figures.seed} units=${figures.units} reminders_due=${figures.remindersDue} escalations_due=${figures.escalationsDue} ` +
      `notifications=${figures.notifications} sent=${figures.sent} duplicates=${figures.duplicates} lost=${figures.lost} submissions=${figures.submissions} recorded=${figures.recorded} missed_cutoff=${figures.missedCutoff} ` +
      `wrong_marks=${figures.wrongMarks} rounds_closed=${figures.roundsClosed}/${figures.rounds} counts=${figures.countsRight ? 'right' : 'WRONG'} faults=${faults.length}`;
    return figures;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}
