/**
 * The Prisma client for kybao's database, SQLite or PostgreSQL by URL (see ./database-url.ts):
 *
 *   const db = createPrismaClient();                 // DATABASE_URL, default file:./.data/kybao.db
 *   const db = createPrismaClient('postgresql://…'); // explicit
 *
 * Relative `file:` URLs resolve against the repository root, not the working directory.
 *
 * Two generated clients exist because a Prisma client is bound to its schema's provider (the SQLite
 * client rejects the PostgreSQL adapter). Both have the same models and the same API for everything
 * the repositories use, so the SQLite client's type stands for both: `Db`. Code that needs a
 * PostgreSQL-only query feature must not rely on it (the SQLite suite runs everywhere).
 *
 * The clients are generated (no postinstall hook) by `tsx scripts/db.ts migrate` or
 * `tsx scripts/db.ts generate`, into node_modules/.prisma/kybao-{sqlite,postgresql}; they are loaded
 * lazily here, so importing this module never loads a client that is not used.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type * as SqliteClient from '.prisma/kybao-sqlite';
import type * as PostgresClient from '.prisma/kybao-postgresql';
import { databaseUrlFromEnv, pgPoolConfig, resolveDatabaseUrl, type DatabaseTarget } from './database-url';
import { registerSqliteReader } from './direct-reads';

export { databaseUrlFromEnv, resolveDatabaseUrl, redactUrl, DEFAULT_DATABASE_URL } from './database-url';
export type { DatabaseTarget } from './database-url';

/** The Prisma client type for both providers. */
export type KybaoPrismaClient = SqliteClient.PrismaClient;
/** Short name used by the activities: `createActivities({ db })`. */
export type Db = KybaoPrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type DbTransaction = SqliteClient.Prisma.TransactionClient;
/** Generated namespace (model types, error classes) for type positions. */
export type { Prisma } from '.prisma/kybao-sqlite';

export interface CreatePrismaClientOptions {
  /** Log queries to stdout (debugging). */
  logQueries?: boolean;
}

function loadGenerated<T>(moduleName: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(moduleName) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(moduleName)) {
      throw new Error(`The Prisma client ${moduleName} is not generated: run \`npx tsx scripts/db.ts migrate\` (or \`generate\`)`, { cause: error });
    }
    throw error;
  }
}

/**
 * A Prisma client for `databaseUrl` (default: DATABASE_URL, else file:./.data/kybao.db) with the
 * matching driver adapter. It connects lazily; call `$disconnect()` when done. The database must be
 * migrated already (`tsx scripts/db.ts migrate`).
 */
export function createPrismaClient(databaseUrl: string = databaseUrlFromEnv(), options: CreatePrismaClientOptions = {}): KybaoPrismaClient {
  return createPrismaClientFor(resolveDatabaseUrl(databaseUrl), options);
}

export function createPrismaClientFor(target: DatabaseTarget, options: CreatePrismaClientOptions = {}): KybaoPrismaClient {
  const log = options.logQueries ? (['query'] as const) : undefined;
  if (target.provider === 'sqlite') {
    const { PrismaClient } = loadGenerated<typeof SqliteClient>('.prisma/kybao-sqlite');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PrismaBetterSQLite3 } = require('@prisma/adapter-better-sqlite3') as typeof import('@prisma/adapter-better-sqlite3');
    mkdirSync(path.dirname(target.file), { recursive: true });
    // timeout: how long a writer waits for another connection's lock (worker and CLI share the file).
    const adapter = new PrismaBetterSQLite3({ url: target.url, timeout: 10_000 });
    const client = new PrismaClient({ adapter, ...(log ? { log: [...log] } : {}) });
    // The burst's hottest reads go to the driver directly (./direct-reads.ts).
    registerSqliteReader(client, target.file);
    return client;
  }
  const { PrismaClient } = loadGenerated<typeof PostgresClient>('.prisma/kybao-postgresql');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PrismaPg } = require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg');
  const adapter = new PrismaPg(pgPoolConfig(target.url));
  const client = new PrismaClient({ adapter, ...(log ? { log: [...log] } : {}) });
  // Same models, same API: see the header.
  return client as unknown as KybaoPrismaClient;
}
