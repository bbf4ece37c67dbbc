import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What /readyz checks; each returns null when fine, else what is wrong (one line, no secrets). */
export interface ReadinessChecks {
  /** The worker polls its task queue (state RUNNING): false while starting, draining or stopped. */
  polling(): string | null;
  temporal(): Promise<string | null>;
  database(): Promise<string | null>;
}

/** How long one readiness check may take before it counts as failed (a hung database is not ready). */
const CHECK_TIMEOUT_MS = 3_000;

async function withTimeout(name: string, check: () => Promise<string | null>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`${name}: no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((e: unknown) => `${name}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The worker's health listener, for a process supervisor or Kubernetes probes:
 * - `GET /healthz` 200 `{"ok":true}` while the process runs (liveness: restart it when this fails);
 * - `GET /readyz` 200 `{"ok":true,"problems":[]}` when the worker polls its task queue and Temporal
 *   and the database answer (a KYBAO_WORKER_ROLE=workflows worker has no database: Temporal only), else
 *   503 with the problems (readiness: e.g. during a drain after SIGTERM).
 * Anything else is 404. It serves no data of the rounds.
 */
export async function startHealthServer(host: string, port: number, checks: ReadinessChecks): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { ok: false, problems: [`${req.method} is not allowed; use GET`] });
    if (path === '/healthz') return send(200, { ok: true });
    if (path === '/readyz') {
      void (async () => {
        const polling = checks.polling();
        const [temporal, database] = await Promise.all([withTimeout('temporal', checks.temporal), withTimeout('database', checks.database)]);
        const problems = [polling, temporal, database].filter((p): p is string => p !== null);
        send(problems.length ? 503 : 200, { ok: problems.length === 0, problems });
      })();
      return;
    }
    send(404, { ok: false, problems: [`no endpoint ${path}; use /healthz or /readyz`] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`health listener on ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use; set KYBAO_WORKER_HEALTH_PORT to a free one' : e.message}`)));
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
