import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The baselines' activities: what a bare application would do, with better-sqlite3 directly (no ORM, no
 * audit log): one row per receipt in a table of its own.
 */
export function createBaselineActivities(file: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS receipt (id INTEGER PRIMARY KEY, round_id TEXT NOT NULL, unit_id TEXT NOT NULL, received_at TEXT NOT NULL, UNIQUE (round_id, unit_id))');
  const insert = db.prepare('INSERT INTO receipt (round_id, unit_id, received_at) VALUES (?, ?, ?) ON CONFLICT (round_id, unit_id) DO UPDATE SET received_at = excluded.received_at');
  return {
    activities: {
      async recordReceipt(input: { roundId: string; unitId: string }): Promise<{ id: number }> {
        return { id: Number(insert.run(input.roundId, input.unitId, new Date().toISOString()).lastInsertRowid) };
      },
      async noop(_input: { step: number }): Promise<void> {},
    },
    close: () => db.close(),
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>['activities'];
