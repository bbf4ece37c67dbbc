/**
 * The burst's direct SQLite reader (infra/db/direct-reads.ts): it reads what is stored through one
 * read-only connection, and the client's $disconnect closes it (a long-running process that makes and drops clients, such
 * as `kybao web` or the test suites, must not keep a file handle per client).
 */
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createPrismaClient } from '../../infra/db/client';
import { directReaderOf } from '../../infra/db/direct-reads';
import { roundHasObligations, shardOfUnit } from '../../infra/db/round-repository';
import { uniqueId, useMigratedDatabase } from './harness';

/** This process's open file descriptors on the database file itself (not its -wal or -shm). */
function handlesOn(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n += 1;
    } catch {
      // The descriptor closed while we looked (readdir's own, for one).
    }
  }
  return n;
}

describe('direct reads on SQLite', () => {
  const database = useMigratedDatabase('sqlite');

  it('finds a stored row, opens one connection for its reads, and closes it with the client', async () => {
    const { url } = database();
    const file = realpathSync(url.slice('file:'.length)); // /proc/self/fd links name the resolved path
    const roundId = uniqueId('round');
    // One obligation row, written beside Prisma (no round or unit rows: foreign keys off for this connection).
    const writer = new Database(file);
    writer.pragma('foreign_keys = OFF');
    const due = Date.parse('2015-04-24T17:00:00.000Z');
    writer
      .prepare('INSERT INTO "Obligation" ("roundId", "programId", "unitId", "dueAt", "originalDueAt", "status", "shard", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(roundId, uniqueId('program'), 'so-tai-chinh', due, due, 'pending', 3, due, due);
    writer.close();

    const client = createPrismaClient(url);
    expect(directReaderOf(client)).not.toBeNull();
    await client.$queryRawUnsafe('SELECT 1'); // Prisma's own connection
    const prismaOnly = handlesOn(file);
    expect(await shardOfUnit(client, roundId, 'so-tai-chinh')).toBe(3);
    expect(await shardOfUnit(client, roundId, 'so-xay-dung')).toBeNull();
    expect(await roundHasObligations(client, roundId)).toBe(true);
    expect(handlesOn(file)).toBe(prismaOnly + 1); // one read-only connection, its statements reused

    await client.$disconnect();
    expect(handlesOn(file)).toBe(prismaOnly - 1); // both gone: Prisma's and the reader's
    // A client may be used again after $disconnect (Prisma reconnects); so does the reader.
    expect(await shardOfUnit(client, roundId, 'so-tai-chinh')).toBe(3);
    await client.$disconnect();
  });
});
