/**
 * Writes prisma/schema.postgresql.prisma from prisma/schema.prisma, so the models are written once.
 *
 *   tsx prisma/generate-postgresql-schema.ts           # write it (no change when up to date)
 *   tsx prisma/generate-postgresql-schema.ts --check   # exit 1 when it is stale
 *
 * Only three things differ between the providers: the datasource provider, its (unused) URL and the
 * generated client's output directory. Everything else is copied verbatim, which is why schema.prisma
 * avoids enums and provider-specific native types.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export const SQLITE_SCHEMA = path.join(__dirname, 'schema.prisma');
export const POSTGRESQL_SCHEMA = path.join(__dirname, 'schema.postgresql.prisma');

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'));
  if (!matches || matches.length !== 1) {
    throw new Error(`schema.prisma: expected exactly one ${what} (found ${matches?.length ?? 0})`);
  }
  return text.replace(pattern, replacement);
}

/** The PostgreSQL schema text for a SQLite schema text. */
export function postgresqlSchemaFrom(sqliteSchema: string): string {
  let text = sqliteSchema;
  text = replaceOnce(text, /^(\s*provider\s*=\s*)"sqlite"/m, '$1"postgresql"', 'datasource provider "sqlite"');
  text = replaceOnce(text, /^(\s*url\s*=\s*)"file:[^"]*"/m, '$1"postgresql://unused@localhost/kybao"', 'datasource url "file:..."');
  text = replaceOnce(
    text,
    /^(\s*output\s*=\s*)"([^"]*)kybao-sqlite"/m,
    '$1"$2kybao-postgresql"',
    'generator output ending in kybao-sqlite',
  );
  const header =
    '// GENERATED from schema.prisma by prisma/generate-postgresql-schema.ts: do not edit.\n' +
    '// Edit schema.prisma, then run `tsx scripts/db.ts migrate` or the generator itself.\n\n';
  return header + text;
}

/** Writes the PostgreSQL schema when it differs; returns true when the file changed. */
export function writePostgresqlSchema(): boolean {
  const wanted = postgresqlSchemaFrom(readFileSync(SQLITE_SCHEMA, 'utf8'));
  const current = existsSync(POSTGRESQL_SCHEMA) ? readFileSync(POSTGRESQL_SCHEMA, 'utf8') : null;
  if (current === wanted) return false;
  writeFileSync(POSTGRESQL_SCHEMA, wanted);
  return true;
}

export function postgresqlSchemaIsCurrent(): boolean {
  if (!existsSync(POSTGRESQL_SCHEMA)) return false;
  return readFileSync(POSTGRESQL_SCHEMA, 'utf8') === postgresqlSchemaFrom(readFileSync(SQLITE_SCHEMA, 'utf8'));
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    if (!postgresqlSchemaIsCurrent()) {
      console.error('prisma/schema.postgresql.prisma is stale: run `tsx prisma/generate-postgresql-schema.ts`');
      process.exit(1);
    }
    console.log('prisma/schema.postgresql.prisma is up to date');
  } else {
    console.log(writePostgresqlSchema() ? 'wrote prisma/schema.postgresql.prisma' : 'prisma/schema.postgresql.prisma is up to date');
  }
}
