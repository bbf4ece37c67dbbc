import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createPrismaClient } from '../infra/db/client';
import { OutboxDispatcher, dispatcherOptionsFromEnv, type DispatcherOptions } from '../activities/mail/dispatcher';
import { checkMailTemplates } from '../activities/mail/render';
import { mailTemplatesFor } from '../activities/mail/templates';
import { createMailTransport } from '../activities/mail/transport';
import { defaultProgramPath, loadProgramFile } from '../domain/program/load-file';
import { type Env } from '../infra/config';
import { temporalTls } from '../infra/temporal-tls';
import { activityLogInterceptors } from './activity-log';
import type { ReadinessChecks } from './health';
import { workflowBundle } from '../infra/workflow-bundle';

/**
 * Builds a worker and the clients its activities need (Prisma, SMTP) from the validated environment,
 * and starts the outbox dispatcher beside it (unless MAIL_DISPATCHER=false): the worker's activities put
 * e-mails into the outbox, the dispatcher delivers them. Before anything connects, every mail template is
 * rendered against a full sample, so a broken template stops the process here, naming the file and the
 * variable, rather than failing a round's notification later. KYBAO_WORKER_ROLE=workflows builds a
 * worker of workflow tasks only (no database, mail, templates or dispatcher); `activities`, one without
 * workflows.
 *
 * `close()` stops the dispatcher (sends in flight finish and are recorded), then releases the clients;
 * call it after the worker has stopped. `worker.shutdown()` (worker/main.ts calls it on SIGTERM/SIGINT)
 * stops polling and lets activities in flight finish for KYBAO_WORKER_SHUTDOWN_GRACE_SECONDS before they
 * are cancelled; `readiness` is what the health listener's /readyz asks.
 */
export async function createKybaoWorker(
  env: Env,
  options: {
    dispatcher?: Partial<DispatcherOptions>;
    /** The workflow code (tests); default: the prebuilt bundle when it matches the sources, else a fresh one. */
    workflowBundle?: { code: string };
  } = {},
): Promise<{ worker: Worker; dispatcher: OutboxDispatcher | null; readiness: ReadinessChecks; close(): Promise<void> }> {
  // A `workflows` process touches neither the database nor mail: its workflows reach both through the
  // activities another process runs (KYBAO_WORKER_ROLE).
  const runsActivities = env.KYBAO_WORKER_ROLE !== 'workflows';
  const runsWorkflows = env.KYBAO_WORKER_ROLE !== 'activities';
  if (runsActivities) {
    const templates = mailTemplatesFor(env.KYBAO_MAIL_TEMPLATES_DIR);
    const problems = checkMailTemplates(templates, loadProgramFile(process.env.KYBAO_PROGRAM_FILE ?? defaultProgramPath));
    if (problems.length) throw new Error(`mail templates in ${templates.dir} do not render:\n  ${problems.join('\n  ')}`);
  }

  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS, tls: temporalTls(env) });
  const db = runsActivities ? createPrismaClient(env.DATABASE_URL) : null;
  const mailer = runsActivities ? createMailTransport(env) : null;
  let dispatcher: OutboxDispatcher | null = null;
  try {
    const worker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.KYBAO_TASK_QUEUE,
      ...(runsWorkflows
        ? {
            workflowBundle: options.workflowBundle ?? (await workflowBundle({ log: (line) => console.log(`[kybao] worker: ${line}`) })),
            maxConcurrentWorkflowTaskExecutions: env.KYBAO_WORKFLOW_TASK_SLOTS,
            stickyQueueScheduleToStartTimeout: env.KYBAO_STICKY_QUEUE_TIMEOUT_SECONDS * 1000,
          }
        : {}),
      ...(db && mailer ? { activities: createActivities({ db, mailer, env }), interceptors: { activity: [activityLogInterceptors] } } : {}),
      shutdownGraceTime: env.KYBAO_WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
      // After the grace time activities are cancelled; give them a little longer to report it, then stop anyway.
      shutdownForceTime: env.KYBAO_WORKER_SHUTDOWN_GRACE_SECONDS * 1000 + 10_000,
    });
    if (db && mailer && env.MAIL_DISPATCHER) {
      dispatcher = new OutboxDispatcher(dispatcherOptionsFromEnv(env, { db, transport: mailer }, options.dispatcher));
      dispatcher.start();
    }
    const readiness: ReadinessChecks = {
      polling: () => (worker.getState() === 'RUNNING' ? null : `worker: ${worker.getState().toLowerCase()}, not polling task queue ${env.KYBAO_TASK_QUEUE}`),
      temporal: async () => {
        await connection.healthService.check({});
        return null;
      },
      database: async () => {
        await db?.$queryRawUnsafe('SELECT 1');
        return null;
      },
    };
    return {
      worker,
      dispatcher,
      readiness,
      async close() {
        await dispatcher?.stop();
        mailer?.close();
        await db?.$disconnect();
        await connection.close();
      },
    };
  } catch (err) {
    mailer?.close();
    await db?.$disconnect();
    await connection.close();
    throw err;
  }
}
