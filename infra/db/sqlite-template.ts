/**
 * A migrated SQLite database in milliseconds, for throw-away databases (`kybao simulate`, benchmarks):
 * `prisma migrate deploy` runs once per set of migrations into a template kept in the cache folder
 * (infra/cache-dir.ts), and
 * each new database is a copy of it. The template is named after a hash of every SQLite migration file
 * and the Prisma version, so a new or edited migration makes a new template. Migrating through Prisma's
 * CLI takes seconds (a Node process that loads the CLI and the configuration); a copy takes a few
 * milliseconds.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { kybaoCacheDir } from '../cache-dir';
import { REPO_ROOT } from './database-url';
import { MIGRATIONS_DIR, migrateDeploy } from './migrate';

/** Hash of the SQLite migrations (names and contents, in order) and the Prisma version that applies them. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(MIGRATIONS_DIR.sqlite).sort()) {
    const file = path.join(MIGRATIONS_DIR.sqlite, name, 'migration.sql');
    if (!existsSync(file)) continue;
    hash.update(name).update('\0').update(readFileSync(file)).update('\0');
  }
  hash.update(readFileSync(path.join(REPO_ROOT, 'node_modules/prisma/package.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Writes a migrated, empty SQLite database to `file` (which must not exist yet), from the cached
 * template, migrating a new template first when there is none for the current migrations.
 */
export async function createMigratedSqlite(file: string): Promise<void> {
  if (existsSync(file)) throw new Error(`${file} already exists; give the path of a new database`);
  const dir = kybaoCacheDir();
  const template = path.join(dir, `sqlite-template-${migrationsHash()}.db`);
  if (!existsSync(template)) {
    mkdirSync(dir, { recursive: true });
    const building = path.join(dir, `.sqlite-template-${process.pid}-${Date.now()}.db`);
    try {
      await migrateDeploy(`file:${building}`, { log: () => undefined });
      // Everything into the main file (WAL is kept as the journal mode: it is stored in the file).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Database = require('better-sqlite3') as typeof import('better-sqlite3');
      const sqlite = new Database(building);
      try {
        sqlite.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        sqlite.close();
      }
      // Another process may have built the same template meanwhile: either copy is the same database.
      renameSync(building, template);
    } finally {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${building}${suffix}`, { force: true });
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  copyFileSync(template, file);
}
