/**
 * Database chores for kybao, from the command line (the work is done by infra/db/migrate.ts):
 *
 *   tsx scripts/db.ts migrate               generate the Prisma clients if needed, then apply pending migrations
 *   tsx scripts/db.ts generate [--force]    only (re)generate the clients
 *   tsx scripts/db.ts status                prisma migrate status for the configured database
 *   tsx scripts/db.ts new-migration <name>  after editing prisma/schema.prisma: write the migration for both providers
 */
import { resolveDatabaseUrl } from '../infra/db/database-url';
import { defaultLog, ensureClientsGenerated, migrateDeploy, newMigration, runPrisma } from '../infra/db/migrate';

async function main(argv: string[]): Promise<void> {
  const [command = 'migrate', ...rest] = argv;
  switch (command) {
    case 'migrate': {
      const generated = await ensureClientsGenerated();
      if (generated.length === 0) defaultLog('clients are up to date');
      await migrateDeploy();
      defaultLog('database is up to date');
      return;
    }
    case 'generate': {
      const generated = await ensureClientsGenerated({ force: rest.includes('--force') });
      defaultLog(generated.length ? `generated: ${generated.join(', ')}` : 'clients are up to date');
      return;
    }
    case 'status': {
      const target = resolveDatabaseUrl();
      process.stdout.write(await runPrisma(['migrate', 'status'], { databaseUrl: target.url, quiet: true }));
      return;
    }
    case 'new-migration': {
      const name = rest[0];
      if (!name) throw new Error('usage: tsx scripts/db.ts new-migration <name>');
      await newMigration(name);
      return;
    }
    default:
      throw new Error(`unknown command ${command}: migrate | generate [--force] | status | new-migration <name>`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    defaultLog(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
