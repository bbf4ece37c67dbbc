import type { WiredWorld } from '../../client/simulate/world';

/**
 * The environment a worker process (worker/main.ts) needs to run activities on a test world: its
 * database, its loopback mail sink, its reports folder and base URL, and a throw-away link secret.
 */
export function activityWorkerEnv(world: WiredWorld, linkSecret: string): Record<string, string> {
  return {
    DATABASE_URL: world.url,
    SMTP_HOST: world.env.SMTP_HOST,
    SMTP_PORT: String(world.env.SMTP_PORT),
    KYBAO_MAIL_SINK_DIR: world.sink.dir,
    KYBAO_REPORTS_DIR: world.env.KYBAO_REPORTS_DIR,
    KYBAO_BASE_URL: world.env.KYBAO_BASE_URL,
    KYBAO_LINK_SECRET: linkSecret,
  };
}
