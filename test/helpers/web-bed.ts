import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Worker } from '@temporalio/worker';
import type { AppClients, Clock } from '../../app/context';
import { storageFromEnv } from '../../app/storage';
import { addUser } from '../../app/users';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { OutboxDispatcher, dispatcherOptionsFromEnv } from '../../activities/mail/dispatcher';
import { createMailTransport } from '../../activities/mail/transport';
import { buildWebApp } from '../../client/web/server';
import { workflowBundle } from './bundle';
import { createTestWorker } from './temporal';
import { closeTestbed, createTestbed, type Testbed } from './testbed';

/**
 * A running kybao for web tests: a Temporal server (time-skipping at `startAt`, or a dev server), a
 * world (database, program, mail sink) whose mails carry signed links to this web app, a worker, the
 * outbox dispatcher delivering to the sink, and the web app listening on a free loopback port. The
 * application's clock follows the Temporal server's (`sync()` after each skip), so link expiry and
 * deadlines are judged at the workflows' time. Four staff accounts exist, one per role.
 */
export interface WebBed extends Testbed {
  app: FastifyInstance;
  url: string;
  c: AppClients;
  clock: Clock & { sync(): Promise<void> };
  taskQueue: string;
  submissionsDir: string;
  /** (method, route) pairs the app answered */
  routes: Set<string>;
  users: Record<'coordinator' | 'appraiser' | 'approver' | 'auditor', { email: string; password: string }>;
  skipTo(ms: number): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function useWebBed(options: { startAt?: string; env?: Record<string, string> }): () => WebBed {
  let bed: Partial<Testbed> = {};
  let ready: WebBed | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let dispatcher: OutboxDispatcher | undefined;
  let mailer: ReturnType<typeof createMailTransport> | undefined;
  let tmp: string | undefined;
  beforeAll(async () => {
    const port = await freePort();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kybao-web-'));
    const webEnv = {
      KYBAO_BASE_URL: `http://127.0.0.1:${port}`,
      KYBAO_LINK_SECRET: randomBytes(32).toString('hex'),
      KYBAO_SESSION_SECRET: randomBytes(32).toString('hex'),
      KYBAO_SUBMISSIONS_DIR: path.join(tmp, 'submissions'),
      KYBAO_RATE_LIMIT_LINK: '10000',
      KYBAO_RATE_LIMIT_LOGIN: '10000',
      ...options.env,
    };
    bed = await createTestbed({ ...(options.startAt ? { startAt: options.startAt } : { server: 'dev' }), env: webEnv });
    const { env, world } = bed as Testbed;
    const created = await createTestWorker(env, world.activities);
    worker = created.worker;
    running = worker.run();
    // The world's environment already holds the web settings (createWorld read them with the rest).
    const appEnv = { ...world.env, KYBAO_TASK_QUEUE: created.taskQueue };
    mailer = createMailTransport(world.env);
    dispatcher = new OutboxDispatcher(dispatcherOptionsFromEnv(world.env, { db: world.db, transport: mailer }, { pollMs: 200 }));
    dispatcher.start();
    let offset = 0;
    const clock = {
      now: () => Date.now() + offset,
      async sync() {
        offset = (await env.currentTimeMs()) - Date.now();
      },
    };
    await clock.sync();
    const c: AppClients = {
      db: world.db,
      temporal: env.client,
      gateway: new WorkflowGateway(env.client, { db: world.db, taskQueue: created.taskQueue, updateTimeoutMs: 60_000 }),
      env: appEnv,
      clock,
      storage: storageFromEnv(appEnv),
    };
    const routes = new Set<string>();
    const app = await buildWebApp({ c, program: world.program, replayBundle: await workflowBundle(), onRoute: (m, u) => routes.add(`${m} ${u}`) });
    await app.listen({ host: '127.0.0.1', port });
    const users = {
      coordinator: { email: 'dieu-phoi@so-tttt.test', password: 'mat-khau-dieu-phoi' },
      appraiser: { email: 'tham-dinh@so-tai-chinh.test', password: 'mat-khau-tham-dinh' },
      approver: { email: 'phe-duyet@ubnd-tinh.test', password: 'mat-khau-phe-duyet' },
      auditor: { email: 'kiem-toan@thanh-tra.test', password: 'mat-khau-kiem-toan' },
    };
    for (const [role, u] of Object.entries(users)) await addUser(world.db, { email: u.email, role, password: u.password, by: 'test' }, clock);
    ready = {
      env,
      world,
      app,
      url: `http://127.0.0.1:${port}`,
      c,
      clock,
      taskQueue: created.taskQueue,
      submissionsDir: webEnv.KYBAO_SUBMISSIONS_DIR,
      routes,
      users,
      async skipTo(ms: number) {
        const now = await env.currentTimeMs();
        if (ms > now) await env.sleep(ms - now);
        await clock.sync();
      },
    };
  }, 600_000);
  afterAll(async () => {
    await ready?.app.close();
    await dispatcher?.stop();
    mailer?.close();
    worker?.shutdown();
    await running?.catch(() => undefined);
    await closeTestbed(bed);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  return () => {
    if (!ready) throw new Error('the web testbed is set up in beforeAll; use it inside a test');
    return ready;
  };
}
