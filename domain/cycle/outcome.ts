import type { CycleStatus } from './schema';

/** What the program keeps of an ended year: enough for its status and final result, small enough to carry. */
export interface YearOutcome {
  year: number;
  rounds: number;
  closedRounds: number;
  notTracked: number;
  compilation: string | null;
}

export function yearOutcomeOf(cycle: CycleStatus): YearOutcome {
  return {
    year: cycle.year,
    rounds: cycle.rounds.length,
    closedRounds: cycle.rounds.filter((r) => r.state === 'closed').length,
    notTracked: cycle.rounds.filter((r) => r.state === 'not-tracked').length,
    compilation: cycle.compilation?.reference ?? null,
  };
}
