import { Client, Connection } from '@temporalio/client';
import type { ConnectionFlags } from './commands/common';
import { createPrismaClient, type Db } from '../../infra/db/client';
import { redactUrl } from '../../infra/db/database-url';
import { readEnv, type Env } from '../../infra/config';
import { temporalTls } from '../../infra/temporal-tls';
import { commandLineClock, type AppClients } from '../../app/context';
import { storageFromEnv } from '../../app/storage';
import { WorkflowGateway, updateTimeoutFromEnv } from '../../app/workflow-gateway';

/**
 * Connections for the command actions that talk to Temporal or the database. Every setting comes from a
 * flag when given (commands/common.ts declares them), else from the environment the worker reads
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, DATABASE_URL, KYBAO_TASK_QUEUE), validated by the
 * same schema (infra/config.ts). Only command actions import this module (they are loaded when their
 * command runs), so `--help` never loads the Temporal client; the Prisma client is loaded when a command
 * opens the database (infra/db/client.ts).
 */
export type { ConnectionFlags };
/** The worker's validated environment with the flags laid over it. */
export function settingsFrom(flags: ConnectionFlags, source: NodeJS.ProcessEnv = process.env): Env {
  const overlay: NodeJS.ProcessEnv = { ...source };
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) overlay[name] = value;
  };
  set('TEMPORAL_ADDRESS', flags.address);
  set('TEMPORAL_NAMESPACE', flags.namespace);
  set('TEMPORAL_TLS_CERT', flags.tlsCert);
  set('TEMPORAL_TLS_KEY', flags.tlsKey);
  set('TEMPORAL_TLS_CA', flags.tlsCa);
  set('DATABASE_URL', flags.databaseUrl);
  set('KYBAO_TASK_QUEUE', flags.taskQueue);
  // The CLI never sends mail: SMTP settings are irrelevant here, so a bad one must not stop it.
  for (const key of Object.keys(overlay)) if (key.startsWith('SMTP_') || key.startsWith('MAIL_')) delete overlay[key];
  // Nor does it sign links or serve pages: a bad web setting must not stop it either.
  for (const key of ['KYBAO_LINK_SECRET', 'KYBAO_SESSION_SECRET', 'KYBAO_WEB_PORT', 'KYBAO_WEB_HOST']) delete overlay[key];
  if (flags.tlsKey && !flags.tlsCert && !overlay.TEMPORAL_TLS_CERT) throw new Error('--tls-key needs --tls-cert (or TEMPORAL_TLS_CERT)');
  return readEnv(overlay);
}

/** A Temporal client, or a one-line reason why there is none. */
export async function connectTemporal(env: Env): Promise<{ client: Client; connection: Connection; close(): Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, tls: temporalTls(env), connectTimeout: '5 seconds' });
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${env.TEMPORAL_ADDRESS} (${firstLine(err)}); start it with "bash scripts/start.sh" or pass --address`,
      { cause: err },
    );
  }
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  return { client, connection, close: () => connection.close() };
}

/** The kybao database; the caller disconnects. */
export function openDatabase(env: Env): Db {
  return createPrismaClient(env.DATABASE_URL);
}

/** Runs `fn` with a database client and turns "no such table" into a hint to migrate. */
export async function withDatabase<T>(env: Env, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase(env);
  try {
    return await fn(db);
  } catch (err) {
    const text = String((err as Error)?.message ?? err);
    if (/no such table|does not exist in the current database|P2021/.test(text)) {
      throw new Error(`the database ${redactUrl(env.DATABASE_URL)} is not migrated; run "npx tsx scripts/db.ts migrate" (or bash scripts/start.sh)`, { cause: err });
    }
    throw err;
  } finally {
    await db.$disconnect();
  }
}

/** Runs `fn` with a Temporal client and closes the connection afterwards. */
export async function withTemporal<T>(env: Env, fn: (client: Client) => Promise<T>): Promise<T> {
  const { client, close } = await connectTemporal(env);
  try {
    return await fn(client);
  } finally {
    await close();
  }
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

/**
 * Runs `fn` with the application layer's clients (app/context.ts): the database, a Temporal client and
 * its workflow gateway, the wall clock, and the file storage KYBAO_STORAGE selects.
 */
export async function withApp<T>(env: Env, fn: (c: AppClients) => Promise<T>): Promise<T> {
  return withDatabase(env, (db) =>
    withTemporal(env, (temporal) =>
      fn({ db, temporal, gateway: new WorkflowGateway(temporal, { db, taskQueue: env.KYBAO_TASK_QUEUE, updateTimeoutMs: updateTimeoutFromEnv() }), env, clock: commandLineClock, storage: storageFromEnv(env) }),
    ),
  );
}
