/**
 * Prisma CLI configuration. The database is chosen by DATABASE_URL (default file:./.data/kybao.db):
 * `file:` selects SQLite (prisma/schema.prisma, prisma/migrations), `postgres://`/`postgresql://`
 * selects PostgreSQL (prisma/schema.postgresql.prisma, prisma/migrations-postgresql).
 * Relative SQLite paths resolve against the repository root (see infra/db/database-url.ts).
 *
 * Prisma 6.19 with the JavaScript schema engine (`engine: 'js'` + a driver adapter) works offline: the
 * classic engine would download a schema-engine binary. The adapters carry fixes that engine needs
 * (infra/db/migration-adapters.ts). Use `tsx scripts/db.ts migrate` rather than the
 * CLI directly: it also generates the clients. (`prisma migrate dev` does not work in this mode.)
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { resolveDatabaseUrl } from './infra/db/database-url';
import { createPostgresMigrationAdapter, createSqliteMigrationAdapter } from './infra/db/migration-adapters';

const target = resolveDatabaseUrl();

export default defineConfig(
  target.provider === 'sqlite'
    ? {
        experimental: { adapter: true },
        engine: 'js',
        schema: path.join(__dirname, 'prisma', 'schema.prisma'),
        migrations: { path: path.join(__dirname, 'prisma', 'migrations') },
        async adapter() {
          mkdirSync(path.dirname(target.file), { recursive: true });
          return createSqliteMigrationAdapter(target.url);
        },
      }
    : {
        experimental: { adapter: true },
        engine: 'js',
        schema: path.join(__dirname, 'prisma', 'schema.postgresql.prisma'),
        migrations: { path: path.join(__dirname, 'prisma', 'migrations-postgresql') },
        async adapter() {
          return createPostgresMigrationAdapter(target.url);
        },
      },
);
