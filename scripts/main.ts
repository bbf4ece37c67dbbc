import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readEnv, describeEnv } from '../infra/config';
import { createKybaoWorker } from '../worker/run';
import { startMailSink, type MailSink } from '../client/mail-sink';
import { waitForTemporal, temporalAnswers } from '../infra/wait-for-temporal';
import { DateTime } from 'luxon';
import { createPrismaClient, redactUrl } from '../infra/db/client';
import { ensureClientsGenerated, migrateDeploy } from '../infra/db/migrate';
import { currentProgramRef, loadProgram } from '../infra/db/program-repository';
import type { ProgramRef } from '../domain/program/outline';
import { planningStartOf } from '../workflows/program-plan';
import { defaultProgramPath, loadProgramFile } from '../domain/program/load-file';
import { yearlyCycleWorkflow } from '../workflows/cycle';
import { cycleWorkflowId } from '../workflows/ids';
import { systemClock } from '../app/context';
import { issueLink } from '../app/links';
import { storageFromEnv } from '../app/storage';
import { addUser } from '../app/users';
import { WorkflowGateway, updateTimeoutFromEnv } from '../app/workflow-gateway';
import { buildWebApp } from '../client/web/server';

/**
 * The main job on embedded defaults: a Temporal dev server with its SQLite file, the kybao database,
 * a loopback SMTP sink and a worker, all in one foreground process that Ctrl-C stops cleanly.
 */
const root = path.resolve(__dirname, '..');
const dataDir = path.join(root, '.data');
const step = (msg: string) => console.log(`[kybao] ${msg}`);

const HELP = `Usage: bash scripts/start.sh [--help]

Runs kybao on its embedded defaults until Ctrl-C: a Temporal dev server (state in .data/temporal.db),
the kybao database (DATABASE_URL, default SQLite .data/kybao.db, migrated), the default program loaded,
a loopback SMTP sink (.data/mail; replaced by a real server when SMTP_HOST is set), a worker, the web
app (KYBAO_WEB_PORT, default 8080; the mails' links point at it) and the cycles that run now: this
year's and, once its planning has begun (late November), next year's. On first start it creates one
demo account per staff role and prints their password once (a local demo only).

Environment: TEMPORAL_ADDRESS (127.0.0.1:7233), KYBAO_TEMPORAL_UI_PORT (port + 1000), DATABASE_URL,
KYBAO_WEB_PORT, KYBAO_BASE_URL (default: the web app), KYBAO_LINK_SECRET and KYBAO_SESSION_SECRET
(generated into .data/link-secret and .data/session-secret when unset),
SMTP_HOST/SMTP_PORT/SMTP_USER/SMTP_PASSWORD/MAIL_FROM, KYBAO_PROGRAM_FILE (default program), and the rest
listed in README.md.`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return;
  }
  if (args.length) throw new Error(`unknown argument ${args[0]}; see --help`);
  // The main job's one worker must run workflows and activities both, or no round would move.
  const role = process.env.KYBAO_WORKER_ROLE;
  if (role && role !== 'all') throw new Error(`KYBAO_WORKER_ROLE=${role} is for bin/kybao-worker processes; the main job runs one worker of every role: unset it`);
  mkdirSync(dataDir, { recursive: true });
  // A real SMTP server given in the environment replaces the sink.
  const useSink = !process.env.SMTP_HOST;
  const webPort = process.env.KYBAO_WEB_PORT ?? '8080';
  const env = readEnv({
    ...process.env,
    SMTP_PORT: process.env.SMTP_PORT ?? (useSink ? '2525' : undefined),
    KYBAO_WEB_PORT: webPort,
    // The mails' links lead to this web app unless another address is given.
    KYBAO_BASE_URL: process.env.KYBAO_BASE_URL || `http://127.0.0.1:${webPort}`,
    KYBAO_LINK_SECRET: process.env.KYBAO_LINK_SECRET || secretFile('link-secret'),
    KYBAO_SESSION_SECRET: process.env.KYBAO_SESSION_SECRET || secretFile('session-secret'),
  });
  // The worker is started in this process and reads these from the environment too.
  process.env.KYBAO_LINK_SECRET = env.KYBAO_LINK_SECRET;
  process.env.KYBAO_BASE_URL = env.KYBAO_BASE_URL;
  const children: ChildProcess[] = [];
  let sink: MailSink | undefined;
  let stopping = false;

  const [host, portText] = env.TEMPORAL_ADDRESS.split(':');
  const port = Number(portText ?? 7233);
  const uiPort = Number(process.env.KYBAO_TEMPORAL_UI_PORT ?? port + 1000);
  const temporalDb = path.join(dataDir, 'temporal.db');

  if (await temporalAnswers(env.TEMPORAL_ADDRESS)) {
    step(`Temporal already answers on ${env.TEMPORAL_ADDRESS}; using it`);
  } else {
    step('building or reusing the Temporal CLI (first run builds it from source: several minutes)');
    const cli = execFileSync('bash', [path.join(root, 'scripts/toolchain.sh'), 'cli'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    step(`starting Temporal dev server (state in ${temporalDb})`);
    const log = openSync(path.join(dataDir, 'temporal.log'), 'a');
    const server = spawn(
      cli,
      ['server', 'start-dev', '--db-filename', temporalDb, '--ip', host ?? '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--log-level', 'warn'],
      { stdio: ['ignore', log, log] },
    );
    children.push(server);
    server.on('exit', (code) => {
      if (!stopping) {
        console.error(`[kybao] Temporal dev server exited (code ${code}); see .data/temporal.log`);
        process.exit(1);
      }
    });
    await waitForTemporal(env.TEMPORAL_ADDRESS, 90_000);
  }

  step(`applying database migrations to ${redactUrl(env.DATABASE_URL)}`);
  // What `tsx scripts/db.ts migrate` does, in this process (one Node start less).
  await ensureClientsGenerated();
  await migrateDeploy(env.DATABASE_URL);

  if (useSink) {
    sink = await startMailSink({ dir: path.resolve(root, env.KYBAO_MAIL_SINK_DIR), port: env.SMTP_PORT });
    step(`mail sink listening on smtp://${sink.host}:${sink.port}, messages in ${sink.dir}`);
  }

  const program = loadProgramFile(process.env.KYBAO_PROGRAM_FILE ?? defaultProgramPath);
  let programRef: ProgramRef;
  {
    const db = createPrismaClient(env.DATABASE_URL);
    const loaded = await loadProgram(db, program);
    programRef = (await currentProgramRef(db, program.id))!;
    await db.$disconnect();
    step(`program ${program.id} loaded (${program.units.length} units${loaded.changed === false ? ', unchanged' : ''}, version ${programRef.version.slice(0, 12)})`);
  }

  const { worker, close } = await createKybaoWorker(env);
  const running = worker.run();
  step(`worker polling task queue "${env.KYBAO_TASK_QUEUE}"`);

  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  // The program's period may be over (the default one ended in 2020): its rules still run for this year,
  // tracking only deadlines still ahead, so the main job always has a live cycle.
  const now = DateTime.now().setZone(program.timeZone);
  // This year's cycle, and next year's once its planning has begun (it starts ahead of its December plan
  // deadline, as the program workflow would start it).
  const years = [now.year, ...(planningStartOf(program, now.year + 1) <= now.toMillis() ? [now.year + 1] : [])];
  for (const year of years) {
    const cycleId = cycleWorkflowId(program.id, year);
    await client.workflow
      .start(yearlyCycleWorkflow, { taskQueue: env.KYBAO_TASK_QUEUE, workflowId: cycleId, workflowIdConflictPolicy: 'USE_EXISTING', args: [{ programRef, year }] })
      .catch((err: Error) => step(`cycle ${cycleId} not started: ${err.message}`));
  }

  const db = createPrismaClient(env.DATABASE_URL);
  const demo = await demoUsers(db);
  const c = { db, temporal: client, gateway: new WorkflowGateway(client, { db, taskQueue: env.KYBAO_TASK_QUEUE, updateTimeoutMs: updateTimeoutFromEnv() }), env, clock: systemClock, storage: storageFromEnv(env) };
  const web = await buildWebApp({ c, program, logger: false });
  await web.listen({ host: env.KYBAO_WEB_HOST, port: env.KYBAO_WEB_PORT });
  // One agency link of a live round, for a first click.
  let live = null;
  // The cycles store their first rounds within a few seconds of starting.
  for (let i = 0; i < 40 && !live; i++, await new Promise((r) => setTimeout(r, 250))) live = await db.obligation.findFirst({ where: { round: { status: 'open', programId: program.id }, status: { in: ['pending', 'overdue', 'extended'] } }, orderBy: [{ dueAt: 'asc' }, { unitId: 'asc' }] });
  const sample = live ? await issueLink(db, env, program, live.roundId, live.unitId).catch(() => null) : null;

  console.log('');
  console.log('kybao is running:');
  console.log(`  Temporal gRPC     ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE})`);
  console.log(`  Temporal Web UI   http://${host}:${uiPort}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows`);
  console.log(`  Temporal state    ${temporalDb}`);
  console.log(`  Database          ${env.DATABASE_URL}`);
  console.log(sink ? `  Mail sink         smtp://${sink.host}:${sink.port} → ${sink.dir} (bin/kybao mail list)` : `  SMTP              ${env.SMTP_HOST}:${env.SMTP_PORT}`);
  console.log(`  Cycles            ${years.map((y) => cycleWorkflowId(program.id, y)).join(', ')} (bin/kybao status)`);
  console.log(`  Web app           ${env.KYBAO_BASE_URL}/ (API docs ${env.KYBAO_BASE_URL}/api/docs)`);
  if (demo) {
    console.log('  Demo sign-in (LOCAL DEMO ONLY; shown once, stored hashed):');
    for (const u of demo) console.log(`    ${u.role.padEnd(11)} ${u.email}  password ${u.password}`);
  } else {
    console.log('  Staff sign-in     accounts exist already (bin/kybao user list; add with bin/kybao user add)');
  }
  if (sample) console.log(`  An agency's link  ${sample.url}`);
  console.log('Press Ctrl-C to stop everything.');
  if (process.env.KYBAO_DEBUG_ENV) console.log(describeEnv(env));

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    step('stopping: draining the worker');
    worker.shutdown();
    await running.catch(() => undefined);
    await web.close();
    await db.$disconnect();
    await close();
    await connection.close();
    await sink?.close();
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    step('stopped');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running;
}

main().catch((err: unknown) => {
  console.error(`[kybao] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

/** A secret kept in .data/<name> (created once, readable by the owner only), for the local main job. */
function secretFile(name: string): string {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** On first start (no staff account yet): one demo account per staff role, with a random password. */
async function demoUsers(db: ReturnType<typeof createPrismaClient>): Promise<Array<{ role: string; email: string; password: string }> | null> {
  if ((await db.staffUser.count()) > 0) return null;
  const made = [];
  for (const role of ['coordinator', 'appraiser', 'approver', 'auditor']) {
    const email = `${role}@kybao.local`;
    const password = randomBytes(9).toString('base64url');
    await addUser(db, { email, role, password, name: `Demo ${role}`, by: 'main-job' }, systemClock);
    made.push({ role, email, password });
  }
  return made;
}
