/**
 * Driver adapters for the Prisma CLI (prisma.config.ts: migrate deploy, status, diff), i.e. for
 * Prisma 6.19's JavaScript schema engine. They are the stock adapters (pinned 6.19.3) plus the fixes
 * that engine needs; the application's client (infra/db/client.ts) uses the stock adapters as is.
 *
 * SQLite
 *   - Shadow database: `migrate diff --from-migrations` replays each migration file into an in-memory
 *     shadow database with executeRaw, which better-sqlite3 runs as ONE prepared statement, so any
 *     migration with more than one statement fails (P3006 "failed to apply cleanly"). Parameterless
 *     executeRaw calls on the shadow go to executeScript (better-sqlite3's exec) instead.
 * PostgreSQL
 *   - Catalog types: the schema engine reads system catalogs whose identifier columns have the types
 *     `name` and `"char"`, unknown to the adapter, so every migrate command fails with "Column type
 *     'name' could not be deserialized from the database" (https://github.com/prisma/orm/issues/27403).
 *     Both are text on the wire: the pool's client (node-postgres' documented `Client` option) reports
 *     them as `text`.
 *   - Whole scripts: the adapter's executeScript splits a migration on every ";", which breaks
 *     dollar-quoted function bodies (the AuditLog trigger) and applies a migration statement by
 *     statement. Here a script is one simple-protocol query, which PostgreSQL runs as one implicit
 *     transaction: a failing migration leaves nothing half-applied.
 *   - Shadow database: the adapter drops its temporary shadow database before closing the shadow
 *     connections, so the DROP fails ("being accessed by other users") and the database is left behind.
 *     Here the shadow pool is closed first.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { pgPoolConfig } from './database-url';

type SqliteAdapter = Awaited<ReturnType<PrismaBetterSQLite3['connect']>>;

export function createSqliteMigrationAdapter(url: string) {
  const inner = new PrismaBetterSQLite3({ url });
  return {
    provider: inner.provider as typeof inner.provider,
    adapterName: inner.adapterName,
    connect: () => inner.connect(),
    connectToShadowDb: async (): Promise<SqliteAdapter> => {
      const shadow = await inner.connectToShadowDb();
      const executeRaw = shadow.executeRaw.bind(shadow);
      shadow.executeRaw = async (query) => {
        if (query.args.length > 0) return executeRaw(query);
        await shadow.executeScript(query.sql);
        return 0;
      };
      return shadow;
    },
  };
}

const TEXT_OID = 25;
/** Catalog types that are text on the wire but unknown to @prisma/adapter-pg: "char" (18), name (19). */
const TEXT_LIKE_CATALOG_OIDS = new Set([18, 19]);

function reportCatalogTextTypesAsText<T>(result: T): T {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as Array<{ fields?: Array<{ dataTypeID: number }> } | undefined>) {
    for (const field of r?.fields ?? []) {
      if (TEXT_LIKE_CATALOG_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

class CatalogFriendlyClient extends pg.Client {
  // pg's query() is overloaded: promise form (adapter transactions) and callback form (Pool#query).
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res: unknown) => void;
      args[args.length - 1] = (err: unknown, res: unknown) => callback(err, err ? res : reportCatalogTextTypesAsText(res));
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      return (result as Promise<unknown>).then(reportCatalogTextTypesAsText) as never;
    }
    return result as never;
  }
}

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/** Sends a migration script as one query instead of the adapter's split on ";". */
function runScriptsWhole(adapter: PgAdapter): PgAdapter {
  const pool = adapter.underlyingDriver();
  adapter.executeScript = async (script: string): Promise<void> => {
    try {
      await pool.query(script);
    } catch (error) {
      // The adapter's own mapping of pg errors to Prisma's DriverAdapterError; always throws.
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

export function createPostgresMigrationAdapter(url: string) {
  const config = { ...pgPoolConfig(url), Client: CatalogFriendlyClient } as pg.PoolConfig;
  const inner = new PrismaPg(config);
  return {
    provider: inner.provider as typeof inner.provider,
    adapterName: inner.adapterName,
    connect: async () => runScriptsWhole(await inner.connect()),
    connectToShadowDb: async (): Promise<PgAdapter> => {
      const main = await inner.connect();
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      await main.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = runScriptsWhole(await new PrismaPg({ ...config, database }).connect());
      const disposeShadow = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await disposeShadow(); // closes the shadow pool first
        try {
          await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
        } finally {
          await main.dispose();
        }
      };
      return shadow;
    },
  };
}
