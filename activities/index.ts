import { createCycleActivities } from './cycle';
import type { ActivityDeps } from './deps';
import { createRoundActivities } from './round';
import { createSkeletonActivities } from './skeleton';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from the clients it was given. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSkeletonActivities(deps),
    ...createRoundActivities(deps),
    ...createCycleActivities(deps),
  };
}
