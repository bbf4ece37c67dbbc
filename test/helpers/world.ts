import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wireWorld, type WiredWorld } from '../../client/simulate/world';
import { loadProgramFile } from '../../domain/program/load-file';
import type { Program } from '../../domain/program/schema';
import { ensureClientsGenerated } from '../../infra/db/migrate';
import { createEmptyDatabase, migrate, type Provider } from '../db/harness';

/**
 * Everything real a workflow test needs besides Temporal: a migrated database with the default program
 * loaded, a loopback SMTP sink in a temp folder, and the worker's activities wired to both — the
 * simulation's wiring, on the harness's database so that it also runs on PostgreSQL.
 */
export type World = WiredWorld;

export async function createWorld(options: { provider?: Provider; program?: Program; env?: Record<string, string> } = {}): Promise<World> {
  const quiet = () => undefined;
  await ensureClientsGenerated({ log: quiet });
  const database = await createEmptyDatabase(options.provider ?? 'sqlite');
  await migrate(database.url);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-world-'));
  const world = await wireWorld({
    url: database.url,
    program: options.program ?? loadProgramFile(),
    dir,
    env: { KYBAO_BASE_URL: 'https://kybao.test', ...options.env },
  });
  return {
    ...world,
    async close() {
      await world.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
