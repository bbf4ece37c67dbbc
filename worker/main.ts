import { readEnv, describeEnv, requireLinkSecret } from '../infra/config';
import { startHealthServer } from './health';
import { createLogger } from './logging';
import { createKybaoWorker } from './run';
import { installWorkerRuntime } from './telemetry';

const USAGE = `Usage: bin/kybao-worker

Runs the kybao worker (round, cycle and program workflows, their activities, the outbox dispatcher) until
SIGTERM or SIGINT, then stops polling, lets the activities in flight finish (KYBAO_WORKER_SHUTDOWN_GRACE_SECONDS)
and exits 0. Logs are JSON lines on stdout (KYBAO_LOG_LEVEL).
KYBAO_WORKER_ROLE: all (default: workflows, activities and the dispatcher), workflows (workflow tasks
only; no database, mail or link secret) or activities (activities and the dispatcher). Run a workflows
process beside activities processes on one task queue to keep database work off the workflows' event
loop. Optional listeners:
  KYBAO_WORKER_HEALTH_PORT  /healthz (process alive) and /readyz (polling; Temporal and, unless the role
                            is workflows, the database answer)
  KYBAO_METRICS_ADDRESS     host:port of the Prometheus /metrics endpoint
Environment: see README, "Configuration" and "Running kybao in production".
`;

// The worker entrypoint for deployments: `bin/kybao-worker` (dist/worker.mjs, or this file with tsx when
// the build is stale).
async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const env = readEnv();
  // Every mail carries a signed agency link: a worker without the secret would send links that do not open.
  if (env.KYBAO_WORKER_ROLE !== 'workflows') requireLinkSecret(env, 'the worker');
  const log = createLogger(env);
  installWorkerRuntime(env, log);
  log.info({ config: describeEnv(env) }, 'kybao worker starting');
  const { worker, readiness, close } = await createKybaoWorker(env, {
    dispatcher: { log: (level, message) => log[level]({ component: 'mail-dispatcher' }, message) },
  });
  const health = env.KYBAO_WORKER_HEALTH_PORT !== undefined ? await startHealthServer(env.KYBAO_WORKER_HEALTH_HOST, env.KYBAO_WORKER_HEALTH_PORT, readiness) : null;
  if (health) log.info({ host: env.KYBAO_WORKER_HEALTH_HOST, port: health.port }, 'health listener ready (/healthz, /readyz)');
  if (env.KYBAO_METRICS_ADDRESS) log.info({ address: env.KYBAO_METRICS_ADDRESS }, 'Prometheus metrics at /metrics');

  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      log.warn({ signal }, 'shutdown already under way; activities in flight are finishing');
      return;
    }
    draining = true;
    if (env.KYBAO_WORKER_ROLE === 'workflows') log.info({ signal }, 'shutdown requested: no new tasks (workflow tasks only; no activities here)');
    else log.info({ signal, graceSeconds: env.KYBAO_WORKER_SHUTDOWN_GRACE_SECONDS }, 'shutdown requested: no new tasks, finishing the activities in flight');
    try {
      worker.shutdown();
    } catch (err) {
      // Not running yet (a signal during start-up): nothing is in flight, so leave at once.
      log.info({ state: worker.getState(), error: err }, 'worker was not running; exiting');
      void Promise.allSettled([close(), health?.close()]).then(() => process.exit(0));
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await worker.run();
    log.info('worker stopped');
  } finally {
    await close();
    await health?.close();
  }
  log.info('kybao worker exits');
}

main().catch((err: unknown) => {
  // One JSON line even for a start-up failure (a bad variable, an unreachable server).
  process.stdout.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), process: 'kybao-worker', msg: `kybao worker: ${err instanceof Error ? err.message : String(err)}` })}\n`);
  console.error(`kybao worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
