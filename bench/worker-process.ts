/**
 * A worker in a process of its own, so that its peak memory is its own (bench/figures/round.ts):
 *
 *   node --import tsx bench/worker-process.ts '{"kind":"kybao"|"baseline", "address", "namespace", "taskQueue", "database"}'
 *
 * kybao: the deployed worker (worker/run.ts: the prebuilt workflow bundle, the real activities on the
 * SQLite file `database`, no mail dispatcher). baseline: bench/workflows/baseline.ts with its
 * better-sqlite3 activities on `database`. Prints "ready" when polling; on SIGTERM it drains, prints
 * {"maxRssBytes": …} and exits.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createKybaoWorker } from '../worker/run';
import { readEnv } from '../infra/config';
import { quietRuntime } from '../client/simulate/environment';
import { createBaselineActivities } from './baseline-activities';
import { baselineBundle } from './baseline';

interface Args {
  kind: 'kybao' | 'baseline';
  address: string;
  namespace: string;
  taskQueue: string;
  database: string;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  quietRuntime();
  let worker: Worker;
  let close: () => Promise<void> | void;
  if (args.kind === 'kybao') {
    const env = readEnv({
      TEMPORAL_ADDRESS: args.address,
      TEMPORAL_NAMESPACE: args.namespace,
      KYBAO_TASK_QUEUE: args.taskQueue,
      DATABASE_URL: `file:${args.database}`,
      MAIL_DISPATCHER: 'false',
      KYBAO_BASE_URL: 'https://kybao.bench',
    });
    const created = await createKybaoWorker(env);
    worker = created.worker;
    close = created.close;
  } else {
    const { activities, close: closeDb } = createBaselineActivities(args.database);
    const connection = await NativeConnection.connect({ address: args.address });
    worker = await Worker.create({ connection, namespace: args.namespace, taskQueue: args.taskQueue, workflowBundle: await baselineBundle(), activities });
    close = async () => {
      closeDb();
      await connection.close();
    };
  }
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await close();
  process.stdout.write(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
