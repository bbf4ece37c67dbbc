/**
 * A few reads that a burst of submissions asks thousands of times (which shard holds a unit, whether a
 * receipt is stored), answered by the database driver itself, beside the Prisma client, instead of
 * through Prisma's query machinery (about a millisecond of CPU per statement in its runtime and its
 * WebAssembly query compiler; a prepared better-sqlite3 statement takes tens of microseconds).
 *
 * SQLite only: createPrismaClient registers a read-only better-sqlite3 connection on the same file for
 * each client (opened at the first read; WAL lets it read while the worker writes). For PostgreSQL, and
 * for a client inside a transaction, `directReaderOf` gives null and the callers use Prisma's $queryRaw
 * with the same SQL (infra/db/round-repository.ts).
 */

// better-sqlite3 ships no types (and @types/better-sqlite3 is not installed): type what is used.
interface SqliteStatement {
  all(...params: Array<string | number>): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  pragma(sql: string): unknown;
  close(): void;
}
type SqliteDatabase = new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => SqliteConnection;

export interface DirectReader {
  /** The rows of a SELECT with positional parameters (`?`), from a statement prepared once. */
  all<T>(sql: string, params: Array<string | number>): T[];
  close(): void;
}

const readers = new WeakMap<object, DirectReader>();

/** Registers a read-only connection to `file` for `client` (opened lazily, at its first read). */
export function registerSqliteReader(client: object, file: string): void {
  let connection: SqliteConnection | null = null;
  const statements = new Map<string, SqliteStatement>();
  readers.set(client, {
    all<T>(sql: string, params: Array<string | number>): T[] {
      if (!connection) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Database = require('better-sqlite3') as SqliteDatabase;
        connection = new Database(file, { readonly: true, fileMustExist: true });
        // A reader never waits long: WAL readers do not block on the writer, but a checkpoint may hold a lock briefly.
        connection.pragma('busy_timeout = 5000');
      }
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = connection.prepare(sql)));
      return statement.all(...params) as T[];
    },
    close() {
      statements.clear();
      connection?.close();
      connection = null;
    },
  });
}

/** The direct reader of a top-level client (null: PostgreSQL, a transaction, or a client built elsewhere). */
export function directReaderOf(client: object): DirectReader | null {
  return readers.get(client) ?? null;
}
