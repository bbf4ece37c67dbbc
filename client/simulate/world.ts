import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { createPrismaClient, type Db } from '../../infra/db/client';
import { currentProgramRef, loadProgram } from '../../infra/db/program-repository';
import { outlineOf, type ProgramOutline, type ProgramRef } from '../../domain/program/outline';
import { createMailTransport } from '../../activities/mail/transport';
import type { Program } from '../../domain/program/schema';
import { ensureClientsGenerated } from '../../infra/db/migrate';
import { createMigratedSqlite } from '../../infra/db/sqlite-template';
import { readEnv, type Env } from '../../infra/config';
import { listStoredMessages, startMailSink, type MailSink, type StoredMessage } from '../mail-sink';

/**
 * The worker's side of a world on a database that is already migrated: the program loaded, a loopback
 * SMTP sink under `dir`, and the activities wired to both. Shared by simulations and by the tests'
 * worlds (test/helpers/world.ts), which bring their own database and clean up their own folders.
 */
export interface WiredWorld {
  db: Db;
  url: string;
  program: Program;
  /** The loaded definition's reference, as workflows carry it, and its outline. */
  programRef: ProgramRef;
  outline: ProgramOutline;
  sink: MailSink;
  env: Env;
  activities: ReturnType<typeof createActivities>;
  messages(): Promise<StoredMessage[]>;
  /** Closes the mailer, the sink and the database connection; the database and `dir` stay. */
  close(): Promise<void>;
}

export interface WireWorldOptions {
  url: string;
  program: Program;
  dir: string;
  /** Recorded as who loaded the program (loadProgram's default when absent). */
  actor?: string;
  /** Added to the environment the activities read, e.g. KYBAO_BASE_URL for links in mail. */
  env?: Record<string, string>;
  /** SQLite only: PRAGMAs for the connection, before anything else runs on it (e.g. "synchronous = NORMAL"). */
  sqlitePragmas?: string[];
}

export async function wireWorld(options: WireWorldOptions): Promise<WiredWorld> {
  const { url, program, dir } = options;
  const db = createPrismaClient(url);
  // The SQLite adapter keeps one connection per client, so a PRAGMA holds for the client's lifetime.
  if (url.startsWith('file:')) for (const pragma of options.sqlitePragmas ?? []) await db.$executeRawUnsafe(`PRAGMA ${pragma}`);
  await loadProgram(db, program, options.actor ? { actor: options.actor } : {});
  const programRef = (await currentProgramRef(db, program.id))!;
  const sink = await startMailSink({ dir: path.join(dir, 'mail') });
  const env = readEnv({
    DATABASE_URL: url,
    SMTP_HOST: sink.host,
    SMTP_PORT: String(sink.port),
    KYBAO_REPORTS_DIR: path.join(dir, 'reports'),
    ...options.env,
  });
  const mailer = createMailTransport(env);
  return {
    db,
    url,
    program,
    programRef,
    outline: outlineOf(program, programRef.version),
    sink,
    env,
    activities: createActivities({ db, mailer, env }),
    messages: () => listStoredMessages(sink.dir),
    async close() {
      mailer.close();
      await sink.close();
      await db.$disconnect();
    },
  };
}

/**
 * Everything real a simulated run needs besides Temporal: a migrated SQLite database in a temp folder with
 * the program loaded, a loopback SMTP sink, and the worker's activities wired to both — for commands and
 * scripts.
 */
export interface SimulationWorld extends Omit<WiredWorld, 'close'> {
  dir: string;
  close(options?: { keep?: boolean }): Promise<void>;
}

export async function createSimulationWorld(program: Program, options: { dir?: string; reportsDir?: string } = {}): Promise<SimulationWorld> {
  const quiet = () => undefined;
  await ensureClientsGenerated({ log: quiet });
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'kybao-sim-'));
  const file = path.join(dir, 'kybao.db');
  const url = `file:${file}`;
  // A copy of a migrated template (infra/db/sqlite-template.ts): seconds faster than migrating.
  await createMigratedSqlite(file);
  const world = await wireWorld({
    url,
    program,
    dir,
    actor: 'simulation',
    env: {
      KYBAO_MAIL_SINK_DIR: path.join(dir, 'mail'),
      KYBAO_BASE_URL: 'https://kybao.simulation',
      ...(options.reportsDir ? { KYBAO_REPORTS_DIR: options.reportsDir } : {}),
    },
    // A throw-away database need not survive a power cut: commits wait for the WAL write, not the disk.
    sqlitePragmas: ['synchronous = NORMAL'],
  });
  return {
    ...world,
    dir,
    async close({ keep = false } = {}) {
      await world.close();
      if (!keep && !options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
