/**
 * Database chores for kybao. The database is chosen by DATABASE_URL (default file:./.data/kybao.db,
 * relative to the repository root; postgres:// or postgresql:// selects PostgreSQL).
 *
 *   tsx scripts/db.ts migrate               generate the Prisma clients if needed, then apply pending
 *                                           migrations (prisma migrate deploy). Idempotent: the usual
 *                                           entry point, called by the top-level scripts.
 *   tsx scripts/db.ts generate [--force]    only (re)generate the clients
 *   tsx scripts/db.ts status                prisma migrate status for the configured database
 *   tsx scripts/db.ts new-migration <name>  after editing prisma/schema.prisma: write the migration for
 *                                           BOTH providers (the PostgreSQL diff needs a server: the
 *                                           DATABASE_URL if it is PostgreSQL, else KYBAO_TEST_POSTGRES_URL;
 *                                           `eval "$(bash scripts/postgres.sh)"` starts one)
 *
 * How the clients are generated (there is no postinstall hook): `prisma generate` with the JavaScript
 * query compiler (engineType = "client", no engine download) writes one client per provider into
 * node_modules/.prisma/kybao-sqlite and node_modules/.prisma/kybao-postgresql; a stamp file there
 * records the schema hash and Prisma version, so generation runs again only when one of them changed
 * (or after `npm ci` wiped node_modules). The PostgreSQL schema is regenerated from schema.prisma first.
 *
 * Progress lines go to stderr, prefixed "[kybao] db:".
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  databaseUrlFromEnv,
  redactUrl,
  resolveDatabaseUrl,
  type DatabaseTarget,
} from './database-url';
import {
  POSTGRESQL_SCHEMA,
  SQLITE_SCHEMA,
  postgresqlSchemaIsCurrent,
  writePostgresqlSchema,
} from '../../prisma/generate-postgresql-schema';

export type Log = (line: string) => void;
export const defaultLog: Log = (line) => process.stderr.write(`[kybao] db: ${line}\n`);

const PRISMA_CLI = path.join(REPO_ROOT, 'node_modules', 'prisma', 'build', 'index.js');
const GENERATED_ROOT = path.join(REPO_ROOT, 'node_modules', '.prisma');
const STAMP_FILE = 'kybao-stamp.json';

export const MIGRATIONS_DIR = {
  sqlite: path.join(REPO_ROOT, 'prisma', 'migrations'),
  postgresql: path.join(REPO_ROOT, 'prisma', 'migrations-postgresql'),
} as const;

const CLIENTS = [
  { provider: 'sqlite', schema: SQLITE_SCHEMA, dir: path.join(GENERATED_ROOT, 'kybao-sqlite') },
  { provider: 'postgresql', schema: POSTGRESQL_SCHEMA, dir: path.join(GENERATED_ROOT, 'kybao-postgresql') },
] as const;

function prismaVersion(): string {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'prisma', 'package.json'), 'utf8')) as {
    version: string;
  }).version;
}

function stampFor(schemaFile: string): string {
  const schemaSha256 = createHash('sha256').update(readFileSync(schemaFile)).digest('hex');
  return JSON.stringify({ schemaSha256, prismaVersion: prismaVersion() });
}

/** Runs the Prisma CLI (this repository's copy) against the given database; returns its stdout. */
export function runPrisma(
  args: string[],
  options: { databaseUrl?: string; log?: Log; quiet?: boolean } = {},
): Promise<string> {
  const log = options.log ?? defaultLog;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Offline: no update check, no telemetry request.
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_HIDE_PREVIEW_FLAG_WARNINGS: '1',
  };
  if (options.databaseUrl !== undefined) env.DATABASE_URL = options.databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        if (!options.quiet) {
          for (const raw of stdout.split('\n')) {
            const line = raw.trim();
            const applied = /^└─ (\S+)\/$/.exec(line);
            if (applied) log(`  applied ${applied[1]}`);
            else if (/^(All migrations|No pending|\d+ migrations? found|Database schema is up to date)/.test(line)) log(`  ${line}`);
          }
        }
        resolve(stdout);
      } else {
        const output = `${stdout}\n${stderr}`.trim();
        reject(new Error(`prisma ${args.join(' ')} failed (exit ${code}):\n${output}`));
      }
    });
  });
}

/**
 * Makes sure prisma/schema.postgresql.prisma matches schema.prisma and both clients are generated for
 * the current schemas. Cheap when nothing changed (compares stamp files). Returns the providers that
 * were generated.
 */
export async function ensureClientsGenerated(options: { force?: boolean; log?: Log } = {}): Promise<string[]> {
  const log = options.log ?? defaultLog;
  const upToDate = (client: (typeof CLIENTS)[number]) => {
    const stampPath = path.join(client.dir, STAMP_FILE);
    return existsSync(stampPath) && existsSync(path.join(client.dir, 'index.js')) && readFileSync(stampPath, 'utf8') === stampFor(client.schema);
  };
  if (!options.force && postgresqlSchemaIsCurrent() && CLIENTS.every(upToDate)) return [];
  // Parallel jest workers and scripts may all find the clients missing: one generates, the others wait.
  return withLock(path.join(GENERATED_ROOT, 'kybao-generate.lock'), log, async () => {
    if (writePostgresqlSchema()) log('prisma/schema.postgresql.prisma was stale: regenerated from prisma/schema.prisma');
    const generated: string[] = [];
    for (const client of CLIENTS) {
      if (!options.force && upToDate(client)) continue;
      await generateClient(client, log);
      generated.push(client.provider);
    }
    return generated;
  });
}

async function withLock<T>(lockPath: string, log: Log, fn: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(lockPath), { recursive: true });
  const staleMs = 5 * 60_000;
  let waited = false;
  for (;;) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > staleMs) rmSync(lockPath, { force: true });
      } catch {
        // removed meanwhile: try again
      }
      if (!waited) log(`waiting for another process generating the clients (${path.relative(REPO_ROOT, lockPath)})`);
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

async function generateClient(client: (typeof CLIENTS)[number], log: Log): Promise<void> {
  const wanted = stampFor(client.schema);
  log(`generating the ${client.provider} client (${path.relative(REPO_ROOT, client.dir)})`);
  await runPrisma(['generate', '--schema', client.schema], {
    log,
    quiet: true,
    // The CLI loads prisma.config.ts, which needs a URL of the same provider to pick the schema;
    // generation itself does not connect.
    databaseUrl: client.provider === 'sqlite' ? 'file:./.data/kybao.db' : 'postgresql://generate@localhost/unused',
  });
  writeFileSync(path.join(client.dir, STAMP_FILE), wanted);
}

function migrationNames(provider: DatabaseTarget['provider']): string[] {
  return readdirSync(MIGRATIONS_DIR[provider], { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Applies pending migrations to the database at `databaseUrl` (prisma migrate deploy). Idempotent. */
export async function migrateDeploy(databaseUrl: string = databaseUrlFromEnv(), options: { log?: Log } = {}): Promise<void> {
  const log = options.log ?? defaultLog;
  const target = resolveDatabaseUrl(databaseUrl);
  log(`migrating ${target.provider} database ${redactUrl(target.url)} (${migrationNames(target.provider).length} migrations known)`);
  if (target.provider === 'sqlite') mkdirSync(path.dirname(target.file), { recursive: true });
  await runPrisma(['migrate', 'deploy'], { databaseUrl: target.url, log });
  if (target.provider === 'sqlite') {
    // WAL lets the worker write while a CLI reads; the setting is stored in the database file.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const sqlite = new Database(target.file);
    try {
      sqlite.pragma('journal_mode = WAL');
    } finally {
      sqlite.close();
    }
  }
}

/** Writes <timestamp>_<name>/migration.sql into both migration directories; empty diffs are skipped. */
export async function newMigration(name: string, options: { log?: Log } = {}): Promise<void> {
  const log = options.log ?? defaultLog;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error('migration name: lower-case letters, digits and _ only');
  await ensureClientsGenerated({ log });
  const configured = databaseUrlFromEnv();
  const pgUrl = /^postgres(ql)?:\/\//.test(configured) ? configured : process.env.KYBAO_TEST_POSTGRES_URL;
  if (!pgUrl) {
    throw new Error('the PostgreSQL migration needs a server: set KYBAO_TEST_POSTGRES_URL (eval "$(bash scripts/postgres.sh)")');
  }
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const plans = [
    { provider: 'sqlite' as const, url: `file:${path.join(os.tmpdir(), `kybao-new-migration-${process.pid}.db`)}`, schema: SQLITE_SCHEMA },
    { provider: 'postgresql' as const, url: pgUrl, schema: POSTGRESQL_SCHEMA },
  ];
  for (const plan of plans) {
    // --from-migrations replays the existing migrations into a shadow database (SQLite: in memory;
    // PostgreSQL: a temporary database, which is why the role needs CREATEDB).
    const sql = await runPrisma(
      ['migrate', 'diff', '--from-migrations', MIGRATIONS_DIR[plan.provider], '--to-schema-datamodel', plan.schema, '--script'],
      { databaseUrl: plan.url, log, quiet: true },
    );
    if (!/^\s*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|PRAGMA)\b/im.test(sql)) {
      log(`${plan.provider}: no changes`);
      continue;
    }
    const dir = path.join(MIGRATIONS_DIR[plan.provider], `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'migration.sql'), sql);
    log(`${plan.provider}: wrote ${path.relative(REPO_ROOT, dir)}/migration.sql (review it, then commit)`);
  }
}
