import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { createPrismaClient, type Db } from '../../activities/db/client';
import { loadProgram } from '../../activities/db/program-repository';
import { createMailTransport } from '../../activities/mail/transport';
import type { Program } from '../../domain/program/schema';
import { ensureClientsGenerated, migrateDeploy } from '../../scripts/db';
import { readEnv, type Env } from '../../worker/config';
import { listStoredMessages, startMailSink, type MailSink, type StoredMessage } from '../mail-sink';

/**
 * Everything real a simulated run needs besides Temporal: a migrated SQLite database in a temp folder with
 * the program loaded, a loopback SMTP sink, and the worker's activities wired to both — the wiring of
 * test/helpers/world.ts, for commands and scripts.
 */
export interface SimulationWorld {
  dir: string;
  db: Db;
  url: string;
  program: Program;
  sink: MailSink;
  env: Env;
  activities: ReturnType<typeof createActivities>;
  messages(): Promise<StoredMessage[]>;
  close(options?: { keep?: boolean }): Promise<void>;
}

export async function createSimulationWorld(program: Program, options: { dir?: string } = {}): Promise<SimulationWorld> {
  const quiet = () => undefined;
  await ensureClientsGenerated({ log: quiet });
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'kybao-sim-'));
  const url = `file:${path.join(dir, 'kybao.db')}`;
  await migrateDeploy(url, { log: quiet });
  const db = createPrismaClient(url);
  await loadProgram(db, program, { actor: 'simulation' });
  const sink = await startMailSink({ dir: path.join(dir, 'mail') });
  const env = readEnv({
    DATABASE_URL: url,
    SMTP_HOST: sink.host,
    SMTP_PORT: String(sink.port),
    KYBAO_REPORTS_DIR: path.join(dir, 'reports'),
    KYBAO_MAIL_SINK_DIR: path.join(dir, 'mail'),
    KYBAO_BASE_URL: 'https://kybao.simulation',
  });
  const mailer = createMailTransport(env);
  return {
    dir,
    db,
    url,
    program,
    sink,
    env,
    activities: createActivities({ db, mailer, env }),
    messages: () => listStoredMessages(sink.dir),
    async close({ keep = false } = {}) {
      mailer.close();
      await sink.close();
      await db.$disconnect();
      if (!keep && !options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
