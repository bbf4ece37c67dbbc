import { Client, Connection } from '@temporalio/client';
import { readEnv, requireLinkSecret, describeEnv } from '../../infra/config';
import { createPrismaClient } from '../../infra/db/client';
import { temporalTls } from '../../infra/temporal-tls';
import { systemClock } from '../../app/context';
import { resolveProgram } from '../../app/programs';
import { storageFromEnv } from '../../app/storage';
import { WorkflowGateway, updateTimeoutFromEnv } from '../../app/workflow-gateway';
import { buildWebApp } from './server';

/**
 * The web process on its own (a deployment runs it apart from the worker): `tsx client/web/main.ts`.
 * Needs KYBAO_LINK_SECRET and KYBAO_SESSION_SECRET; listens on KYBAO_WEB_HOST:KYBAO_WEB_PORT.
 */
export async function startWeb(source: NodeJS.ProcessEnv = process.env, options: { logger?: boolean } = {}) {
  const env = readEnv(source);
  requireLinkSecret(env, 'the web app');
  const db = createPrismaClient(env.DATABASE_URL);
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, tls: temporalTls(env), connectTimeout: '10 seconds' });
  const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  const program = await resolveProgram(db, {});
  const c = { db, temporal, gateway: new WorkflowGateway(temporal, { db, taskQueue: env.KYBAO_TASK_QUEUE, updateTimeoutMs: updateTimeoutFromEnv(source) }), env, clock: systemClock, storage: storageFromEnv(env) };
  const app = await buildWebApp({ c, program, logger: options.logger ?? true });
  const address = await app.listen({ host: env.KYBAO_WEB_HOST, port: env.KYBAO_WEB_PORT });
  return {
    app,
    address,
    env,
    async close() {
      await app.close();
      await connection.close();
      await db.$disconnect();
    },
  };
}

if (require.main === module) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write('Usage: tsx client/web/main.ts\n\nRuns the kybao web app (pages and /api) until SIGINT/SIGTERM. Environment: KYBAO_LINK_SECRET and KYBAO_SESSION_SECRET (required), KYBAO_WEB_HOST, KYBAO_WEB_PORT, KYBAO_BASE_URL, DATABASE_URL, TEMPORAL_ADDRESS, KYBAO_UPLOAD_MAX_BYTES, KYBAO_UPLOAD_TYPES, KYBAO_STORAGE (see README).\n');
    process.exit(0);
  }
  startWeb()
    .then((web) => {
      console.log(`kybao web listening on ${web.address}`, describeEnv(web.env).KYBAO_BASE_URL);
      const stop = () => void web.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((err: unknown) => {
      console.error(`kybao web: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
