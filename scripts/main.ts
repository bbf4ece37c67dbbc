import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readEnv, describeEnv } from '../infra/config';
import { createKybaoWorker } from '../worker/run';
import { startMailSink, type MailSink } from '../client/mail-sink';
import { skeletonWorkflow } from '../workflows/skeleton';
import { waitForTemporal, temporalAnswers } from '../infra/wait-for-temporal';
import { DateTime } from 'luxon';
import { createPrismaClient, redactUrl } from '../infra/db/client';
import { ensureClientsGenerated, migrateDeploy } from '../infra/db/migrate';
import { loadProgram } from '../infra/db/program-repository';
import { defaultProgramPath, loadProgramFile } from '../domain/program/load-file';
import { yearlyCycleWorkflow } from '../workflows/cycle';
import { cycleWorkflowId } from '../workflows/ids';

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
a loopback SMTP sink (.data/mail; replaced by a real server when SMTP_HOST is set), a worker, the
walking-skeleton workflow and a live cycle for the current year.

Environment: TEMPORAL_ADDRESS (127.0.0.1:7233), KYBAO_TEMPORAL_UI_PORT (port + 1000), DATABASE_URL,
SMTP_HOST/SMTP_PORT/SMTP_USER/SMTP_PASSWORD/MAIL_FROM, KYBAO_PROGRAM_FILE (default program), and the rest
listed in README.md.`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return;
  }
  if (args.length) throw new Error(`unknown argument ${args[0]}; see --help`);
  mkdirSync(dataDir, { recursive: true });
  // A real SMTP server given in the environment replaces the sink.
  const useSink = !process.env.SMTP_HOST;
  const env = readEnv({
    ...process.env,
    SMTP_PORT: process.env.SMTP_PORT ?? (useSink ? '2525' : undefined),
  });
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
  {
    const db = createPrismaClient(env.DATABASE_URL);
    const loaded = await loadProgram(db, program);
    await db.$disconnect();
    step(`program ${program.id} loaded (${program.units.length} units${loaded.changed === false ? ', unchanged' : ''})`);
  }

  const { worker, close } = await createKybaoWorker(env);
  const running = worker.run();
  step(`worker polling task queue "${env.KYBAO_TASK_QUEUE}"`);

  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  const today = new Date().toISOString().slice(0, 10);
  const workflowId = `skeleton-${today}`;
  await client.workflow
    .start(skeletonWorkflow, {
      taskQueue: env.KYBAO_TASK_QUEUE,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [
        {
          programId: program.id,
          roundId: workflowId,
          agencies: program.units.slice(0, 2).map((u) => ({ id: u.id, email: u.contact.email })),
          openAfter: '2 seconds',
          closeAfter: '1 day',
        },
      ],
    })
    .catch((err: Error) => step(`skeleton workflow not started: ${err.message}`));

  // The program's period may be over (the default one ended in 2020): its rules still run for this year,
  // tracking only deadlines still ahead, so the main job always has a live cycle.
  const year = DateTime.now().setZone(program.timeZone).year;
  const cycleId = cycleWorkflowId(program.id, year);
  await client.workflow
    .start(yearlyCycleWorkflow, {
      taskQueue: env.KYBAO_TASK_QUEUE,
      workflowId: cycleId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{ program, year }],
    })
    .catch((err: Error) => step(`cycle ${cycleId} not started: ${err.message}`));

  console.log('');
  console.log('kybao is running:');
  console.log(`  Temporal gRPC     ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE})`);
  console.log(`  Temporal Web UI   http://${host}:${uiPort}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows`);
  console.log(`  Temporal state    ${temporalDb}`);
  console.log(`  Database          ${env.DATABASE_URL}`);
  console.log(sink ? `  Mail sink         smtp://${sink.host}:${sink.port} → ${sink.dir} (bin/kybao mail list)` : `  SMTP              ${env.SMTP_HOST}:${env.SMTP_PORT}`);
  console.log(`  Skeleton workflow ${workflowId}`);
  console.log(`  Live cycle        ${cycleId} (bin/kybao status)`);
  console.log('Press Ctrl-C to stop everything.');
  if (process.env.KYBAO_DEBUG_ENV) console.log(describeEnv(env));

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    step('stopping: draining the worker');
    worker.shutdown();
    await running.catch(() => undefined);
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
