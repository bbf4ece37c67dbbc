import { createCompilationActivities } from './compilation';
import { createCompiledReportActivities } from './compiled-report';
import { createCycleActivities } from './cycle';
import type { ActivityDeps } from './deps';
import { createProgramActivities } from './program';
import { createProgramVersions } from './program-versions';
import { createRoundActivities } from './round';
import { createSkeletonActivities } from './skeleton';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from the clients it was given. */
export function createActivities(deps: ActivityDeps) {
  // One cache of program definitions per worker, shared by every activity that reads a program.
  const withPrograms = { ...deps, programs: deps.programs ?? createProgramVersions(deps.db) };
  return {
    ...createSkeletonActivities(deps),
    ...createRoundActivities(withPrograms),
    ...createCycleActivities(withPrograms),
    ...createProgramActivities(withPrograms),
    ...createCompilationActivities(deps),
    ...createCompiledReportActivities(withPrograms),
  };
}
