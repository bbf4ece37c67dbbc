import { ApplicationFailure } from '@temporalio/activity';
import type { ProgramRef } from '../domain/program/outline';
import type { Program } from '../domain/program/schema';
import { getProgramVersion } from '../infra/db/program-repository';
import type { Db } from '../infra/db/client';

/**
 * The program definitions workflows refer to by (id, sha256), read from the database once per worker and
 * kept in memory: a definition never changes under its hash, and activities of a 10,000-unit program would
 * otherwise parse megabytes of JSON for every notice.
 */
export interface ProgramVersions {
  get(ref: ProgramRef): Promise<Program>;
}

export function createProgramVersions(db: Db, capacity = 8): ProgramVersions {
  const cache = new Map<string, Promise<Program>>();
  return {
    get(ref) {
      const key = `${ref.programId}@${ref.version}`;
      let hit = cache.get(key);
      if (hit) {
        // Most recently used last, so the oldest entry is the one dropped.
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      hit = getProgramVersion(db, ref.programId, ref.version).then((program) => {
        if (!program) {
          cache.delete(key);
          throw ApplicationFailure.create({
            type: 'ProgramVersionMissing',
            nonRetryable: true,
            message: `program ${ref.programId} version ${ref.version.slice(0, 12)}… is not in the database; load it with "kybao program load"`,
          });
        }
        return program;
      });
      hit.catch(() => cache.delete(key));
      cache.set(key, hit);
      while (cache.size > capacity) cache.delete(cache.keys().next().value!);
      return hit;
    },
  };
}
