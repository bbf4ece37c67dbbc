import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAudit, listAudit } from '../../infra/db/audit-repository';
import { createPrismaClient } from '../../infra/db/client';
import { postgresqlSchemaIsCurrent } from '../../prisma/generate-postgresql-schema';
import { MIGRATIONS_DIR, ensureClientsGenerated, runPrisma } from '../../infra/db/migrate';
import { createEmptyDatabase, migrate, providers, uniqueId, useMigratedDatabase } from './harness';

const quiet = () => undefined;

test('the committed PostgreSQL schema is the one generated from prisma/schema.prisma', () => {
  expect(postgresqlSchemaIsCurrent()).toBe(true);
});

describe.each(providers)('migrations on %s', (provider) => {
  beforeAll(() => ensureClientsGenerated({ log: quiet }));

  test('when migrations are deployed to an empty database, then every migration is applied and a second deploy is a no-op', async () => {
    const empty = await createEmptyDatabase(provider);
    try {
      await migrate(empty.url);
      await migrate(empty.url);
      const db = createPrismaClient(empty.url);
      try {
        const applied = await db.$queryRawUnsafe<Array<{ migration_name: string; finished_at: unknown }>>(
          'SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
        );
        const expected = readdirSync(MIGRATIONS_DIR[provider], { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort();
        expect(applied.map((m) => m.migration_name)).toEqual(expected);
        expect(applied.every((m) => m.finished_at !== null)).toBe(true);
        expect(await db.program.count()).toBe(0);
      } finally {
        await db.$disconnect();
      }
    } finally {
      await empty.drop();
    }
  });

  test('when the migrations are replayed, then they produce exactly the schema (no migration is missing)', async () => {
    // The CLI opens the configured database even though the diff only uses a shadow database.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'kybao-diff-'));
    const url = provider === 'sqlite' ? `file:${path.join(scratch, 'unused.db')}` : process.env.KYBAO_TEST_POSTGRES_URL!;
    const schema = provider === 'sqlite' ? 'prisma/schema.prisma' : 'prisma/schema.postgresql.prisma';
    // --exit-code: 0 when the diff is empty, 2 when a migration is missing (runPrisma rejects).
    const out = await runPrisma(
      ['migrate', 'diff', '--from-migrations', MIGRATIONS_DIR[provider], '--to-schema-datamodel', schema, '--script', '--exit-code'],
      { databaseUrl: url, log: quiet, quiet: true },
    );
    rmSync(scratch, { recursive: true, force: true });
    expect(out).toContain('empty migration');
  });
});

describe.each(providers)('audit log on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('when entries are appended, then they list in append order, whatever their `at`', async () => {
    const { db } = database();
    const roundId = uniqueId('r');
    const actions = ['round.opened', 'obligation.created', 'notification.queued', 'submission.recorded', 'round.closed'];
    // `at` is the caller's instant; deliberately out of order to show the id decides the order.
    const ats = ['2015-03-01T00:00:00Z', '2015-02-01T00:00:00Z', '2015-03-16T00:00:00Z', '2015-03-10T00:00:00Z', '2015-04-01T00:00:00Z'];
    const appended = [];
    for (let i = 0; i < actions.length; i++) {
      appended.push(await appendAudit(db, { actor: 'test', action: actions[i]!, roundId, unitId: i % 2 ? 'so-tttt' : null, at: ats[i]!, details: { i, amount: 10n ** 20n } }));
    }
    const listed = await listAudit(db, { roundId });
    expect(listed).toEqual(appended);
    expect(listed.map((e) => e.action)).toEqual(actions);
    expect(listed.map((e) => e.id)).toEqual([...listed.map((e) => e.id)].sort((a, b) => a - b));
    expect(listed[0]?.details).toEqual({ i: 0, amount: '100000000000000000000' });
    expect((await listAudit(db, { roundId, unitId: 'so-tttt' })).map((e) => e.action)).toEqual(['obligation.created', 'submission.recorded']);
    expect((await listAudit(db, { roundId, afterId: listed[2]!.id, limit: 1 })).map((e) => e.action)).toEqual(['submission.recorded']);
  });

  test('when anything tries to change or delete an audit row, then the database refuses', async () => {
    const { db } = database();
    const entry = await appendAudit(db, { actor: 'test', action: 'probe', roundId: uniqueId('r') });
    // The triggers' message ("AuditLog is append-only: …") reaches PostgreSQL callers; the SQLite adapter
    // reports a trigger abort as a generic constraint violation. Either way the change is refused.
    const appendOnly = provider === 'postgresql' ? /append-only/ : /constraint/i;
    await expect(db.auditLog.update({ where: { id: entry.id }, data: { actor: 'mallory' } })).rejects.toThrow(appendOnly);
    await expect(db.auditLog.delete({ where: { id: entry.id } })).rejects.toThrow(appendOnly);
    await expect(db.$executeRawUnsafe('DELETE FROM "AuditLog"')).rejects.toThrow();
    expect(await listAudit(db, { roundId: entry.roundId! })).toEqual([entry]);
  });
});
