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

import type BetterSqlite3 from 'better-sqlite3';

export interface DirectReader {
  /** The rows of a SELECT with positional parameters (`?`), from a statement prepared once. */
  all<T>(sql: string, params: Array<string | number>): T[];
  close(): void;
}

const readers = new WeakMap<object, DirectReader>();

/**
 * Registers a read-only connection to `file` for `client` (opened lazily, at its first read), closed by
 * the client's `$disconnect()` (it may open again at a later read, as Prisma reconnects).
 */
export function registerSqliteReader(client: { $disconnect(): Promise<void> }, file: string): void {
  let connection: BetterSqlite3.Database | null = null;
  const statements = new Map<string, BetterSqlite3.Statement<Array<string | number>, unknown>>();
  readers.set(client, {
    all<T>(sql: string, params: Array<string | number>): T[] {
      if (!connection) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Database = require('better-sqlite3') as typeof BetterSqlite3;
        connection = new Database(file, { readonly: true, fileMustExist: true });
        // A reader never waits long: WAL readers do not block on the writer, but a checkpoint may hold a lock briefly.
        connection.pragma('busy_timeout = 5000');
      }
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = connection.prepare<Array<string | number>, unknown>(sql)));
      return statement.all(...params) as T[];
    },
    close() {
      statements.clear();
      connection?.close();
      connection = null;
    },
  });
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    readers.get(client)?.close();
    await disconnect();
  };
}

/** The direct reader of a top-level client (null: PostgreSQL, a transaction, or a client built elsewhere). */
export function directReaderOf(client: object): DirectReader | null {
  return readers.get(client) ?? null;
}
