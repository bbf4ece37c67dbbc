/**
 * Runs one database suite against every configured database:
 *   - SQLite, always: a fresh file in a temp directory;
 *   - PostgreSQL, when KYBAO_TEST_POSTGRES_URL is set (`eval "$(bash scripts/postgres.sh)"`): a fresh
 *     database created next to the one in the URL (the role needs CREATEDB) and dropped afterwards.
 * Each fresh database is migrated the way production is: `prisma migrate deploy` through the CLI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createPrismaClient, type Db } from '../../infra/db/client';
import { pgPoolConfig } from '../../infra/db/database-url';
import { ensureClientsGenerated, migrateDeploy } from '../../infra/db/migrate';

export type Provider = 'sqlite' | 'postgresql';

export interface TestDatabase {
  provider: Provider;
  url: string;
  /** Drops the database (PostgreSQL) or deletes its directory (SQLite). */
  drop(): Promise<void>;
}

const quiet = () => undefined;

export const providers: Provider[] = process.env.KYBAO_TEST_POSTGRES_URL ? ['sqlite', 'postgresql'] : ['sqlite'];

/** A new, empty, NOT migrated database. */
export async function createEmptyDatabase(provider: Provider): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-db-test-'));
    return {
      provider,
      url: `file:${path.join(dir, 'kybao.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const baseUrl = process.env.KYBAO_TEST_POSTGRES_URL;
  if (!baseUrl) throw new Error('KYBAO_TEST_POSTGRES_URL is not set');
  const name = `kybao_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client(pgPoolConfig(baseUrl));
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    provider,
    url: url.toString(),
    drop: async () => {
      const c = new Client(pgPoolConfig(baseUrl));
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function migrate(url: string): Promise<void> {
  await migrateDeploy(url, { log: quiet });
}

export interface MigratedDatabase {
  provider: Provider;
  url: string;
  db: Db;
}

/**
 * Registers beforeAll/afterAll that give the enclosing describe a fresh, migrated database and a client.
 * Tests in one describe share the database: they use their own program/round ids.
 */
export function useMigratedDatabase(provider: Provider): () => MigratedDatabase {
  let current: (MigratedDatabase & { drop(): Promise<void> }) | null = null;
  beforeAll(async () => {
    await ensureClientsGenerated({ log: quiet });
    const empty = await createEmptyDatabase(provider);
    await migrate(empty.url);
    current = { provider, url: empty.url, db: createPrismaClient(empty.url), drop: empty.drop };
  });
  afterAll(async () => {
    if (!current) return;
    await current.db.$disconnect();
    await current.drop();
  });
  return () => {
    if (!current) throw new Error('the database is set up in beforeAll; use it inside a test');
    return current;
  };
}

/** A unique id for a test's rows, readable in failures. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}
