/**
 * Which database kybao uses, decided by one URL (DATABASE_URL):
 *   file:<path>                     SQLite; a relative path resolves against the repository root (not the
 *                                   process's working directory), so the CLI, the worker and the tests
 *                                   agree on `file:./.data/kybao.db`, the default.
 *   postgres://… / postgresql://…   PostgreSQL (one database; the `schema` parameter is not supported).
 * Shared by prisma.config.ts (CLI: migrate, diff) and infra/db/client.ts (application).
 */
import path from 'node:path';

export const DEFAULT_DATABASE_URL = 'file:./.data/kybao.db';

/** The repository root: infra/db/ is two levels below it. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export type DatabaseTarget =
  | { provider: 'sqlite'; url: string; /** absolute path of the database file */ file: string }
  | { provider: 'postgresql'; url: string };

export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_DATABASE_URL;
}

export function resolveDatabaseUrl(url: string = databaseUrlFromEnv()): DatabaseTarget {
  if (url.startsWith('file:')) {
    const rest = url.slice('file:'.length).split('?')[0] ?? '';
    if (rest === '' || rest === ':memory:') {
      throw new Error(`DATABASE_URL ${url}: give a file path (an in-memory database cannot be migrated by the CLI)`);
    }
    const file = path.isAbsolute(rest) ? rest : path.resolve(REPO_ROOT, rest);
    return { provider: 'sqlite', url: `file:${file}`, file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return { provider: 'postgresql', url };
  }
  throw new Error(`DATABASE_URL must start with file:, postgres:// or postgresql:// (got ${redactUrl(url)})`);
}

/** The URL without its password, for progress lines and errors. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+):[^@]*@/i, '$1:***@');
}

/**
 * node-postgres settings for a PostgreSQL URL, as separate fields rather than `connectionString`:
 * @prisma/adapter-pg makes its shadow database by overriding `database`, which a connectionString would
 * silently win over (the shadow would be the real database).
 */
export function pgPoolConfig(url: string): {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
} {
  const u = new URL(url);
  const params = u.searchParams;
  const unsupported = [...params.keys()].filter((k) => k !== 'sslmode');
  if (unsupported.length > 0) {
    throw new Error(`PostgreSQL URL parameters not supported: ${unsupported.join(', ')} (${redactUrl(url)})`);
  }
  const sslmode = params.get('sslmode');
  const host = decodeURIComponent(u.hostname).replace(/^\[(.*)\]$/, '$1');
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    host: host || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(database ? { database } : {}),
    ...(sslmode === 'require'
      ? { ssl: { rejectUnauthorized: false } }
      : sslmode === 'verify-full' || sslmode === 'verify-ca'
        ? { ssl: true }
        : {}),
  };
}
