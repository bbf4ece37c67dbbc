import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createPrismaClient } from '../activities/db/client';
import { createMailTransport } from '../activities/mail/transport';
import { Env } from './config';
import { temporalTls } from './connection';

/**
 * Builds a worker and the clients its activities need (Prisma, SMTP) from the validated environment.
 * `close()` releases the clients after the worker has stopped.
 */
export async function createKybaoWorker(env: Env): Promise<{ worker: Worker; close(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS, tls: temporalTls(env) });
  const db = createPrismaClient(env.DATABASE_URL);
  const mailer = createMailTransport(env);
  const worker = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.KYBAO_TASK_QUEUE,
    workflowsPath: require.resolve(path.join(__dirname, '../workflows')),
    activities: createActivities({ db, mailer, env }),
  });
  return {
    worker,
    async close() {
      mailer.close();
      await db.$disconnect();
      await connection.close();
    },
  };
}
