import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import type { Db } from '../../activities/db/client';
import { createPrismaClient } from '../../activities/db/client';
import { loadProgram } from '../../activities/db/program-repository';
import { createMailTransport } from '../../activities/mail/transport';
import { startMailSink, MailSink, listStoredMessages, StoredMessage } from '../../client/mail-sink';
import { loadProgramFile } from '../../domain/program/load-file';
import type { Program } from '../../domain/program/schema';
import { readEnv, Env } from '../../worker/config';
import { ensureClientsGenerated } from '../../scripts/db';
import { createEmptyDatabase, migrate, Provider } from '../db/harness';

/**
 * Everything real a workflow test needs besides Temporal: a migrated database with the default program
 * loaded, a loopback SMTP sink in a temp folder, and the worker's activities wired to both.
 */
export interface World {
  db: Db;
  url: string;
  program: Program;
  sink: MailSink;
  env: Env;
  activities: ReturnType<typeof createActivities>;
  messages(): Promise<StoredMessage[]>;
  close(): Promise<void>;
}

export async function createWorld(options: { provider?: Provider; program?: Program } = {}): Promise<World> {
  const quiet = () => undefined;
  await ensureClientsGenerated({ log: quiet });
  const database = await createEmptyDatabase(options.provider ?? 'sqlite');
  await migrate(database.url);
  const db = createPrismaClient(database.url);
  const program = options.program ?? loadProgramFile();
  await loadProgram(db, program);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-world-'));
  const sink = await startMailSink({ dir: path.join(dir, 'mail') });
  const env = readEnv({
    DATABASE_URL: database.url,
    SMTP_HOST: sink.host,
    SMTP_PORT: String(sink.port),
    KYBAO_REPORTS_DIR: path.join(dir, 'reports'),
    KYBAO_BASE_URL: 'https://kybao.test',
  });
  const mailer = createMailTransport(env);
  return {
    db,
    url: database.url,
    program,
    sink,
    env,
    activities: createActivities({ db, mailer, env }),
    messages: () => listStoredMessages(sink.dir),
    async close() {
      mailer.close();
      await sink.close();
      await db.$disconnect();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
