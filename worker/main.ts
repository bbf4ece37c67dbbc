import { readEnv, describeEnv, requireLinkSecret } from '../infra/config';
import { createKybaoWorker } from './run';

// The worker entrypoint for deployments: `bin/kybao-worker` (dist/worker.mjs, or this file with tsx when
// the build is stale). SIGINT/SIGTERM drain it and exit.
async function main(): Promise<void> {
  const env = readEnv();
  // Every mail carries a signed agency link: a worker without the secret would send links that do not open.
  requireLinkSecret(env, 'the worker');
  console.log('kybao worker starting with', describeEnv(env));
  const { worker, close } = await createKybaoWorker(env);
  try {
    await worker.run();
  } finally {
    await close();
  }
}

main().catch((err: unknown) => {
  console.error(`kybao worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
