import { Audience, resolveAudience } from '../domain/round/audience';
import { outlineOf, type ProgramOutline, type ProgramRef } from '../domain/program/outline';
import { estimateGroupsOf } from '../domain/cycle/estimate-groups';
import { listEstimates } from '../infra/db/budget-repository';
import { perDefinitionAndKey } from '../domain/program/per-definition';
import type { ActivityDeps } from './deps';
import type { ProgramVersions } from './program-versions';

/** An estimate that came with a unit's annual plan (or a resubmission), as the estimate group starts it. */
export interface StoredEstimate {
  unitId: string;
  version: number;
  amountVnd: string;
  by: string;
  at: string;
}

/**
 * What workflows read of a program instead of carrying it: its outline, an audience's size, an estimate
 * group's units, and the estimates stored for a group. Each result is bounded by one group's size or
 * does not depend on the number of units at all.
 */
export function createProgramActivities({ db, programs }: ActivityDeps & { programs: ProgramVersions }) {
  // Derived once per definition object (kept by `programs`): a 10,000-unit program starting a year asks
  // for its outline and its estimate groups once per group workflow, 50 at once. (ref.version is the
  // definition's content hash, so it is a key of the definition, not of the object.)
  const outlineFor = perDefinitionAndKey((program, version: string) => outlineOf(program, version));
  const groupsFor = perDefinitionAndKey((program, size: number) => estimateGroupsOf(program, size));
  return {
    async programOutline(ref: ProgramRef): Promise<ProgramOutline> {
      return outlineFor(await programs.get(ref), ref.version);
    },

    /** How many units an audience names, or why it names none (an ad hoc request's check). */
    async sizeOfAudience(req: { programRef: ProgramRef; audience: Audience }): Promise<{ units: number } | { problem: string }> {
      const resolved = resolveAudience(await programs.get(req.programRef), Audience.parse(req.audience));
      return 'problem' in resolved ? resolved : { units: resolved.unitIds.length };
    },

    /** The reporting units of estimate group `group` (1-based), in program order. */
    async estimateGroupUnits(req: { programRef: ProgramRef; group: number; size: number }): Promise<string[]> {
      return groupsFor(await programs.get(req.programRef), req.size)[req.group - 1] ?? [];
    },

    /** The latest estimate version stored for each of the units (those with none are left out). */
    async storedEstimates(req: { programId: string; year: number; unitIds: string[] }): Promise<StoredEstimate[]> {
      const wanted = new Set(req.unitIds);
      const latest = new Map<string, StoredEstimate>();
      for (const e of await listEstimates(db, { programId: req.programId, year: req.year, unitIds: [...wanted] })) {
        const prev = latest.get(e.unitId);
        if (!prev || e.version > prev.version) latest.set(e.unitId, { unitId: e.unitId, version: e.version, amountVnd: e.amountVnd, by: e.submittedBy, at: e.submittedAt });
      }
      return req.unitIds.filter((id) => latest.has(id)).map((id) => latest.get(id)!);
    },
  };
}

export type ProgramActivities = ReturnType<typeof createProgramActivities>;
