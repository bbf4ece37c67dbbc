import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { YearOutcome } from '../domain/cycle/outcome';

/** Kept for callers that named the outcome by its old name. */
export type ProgramYearResult = YearOutcome;

export interface ProgramStatus {
  programId: string;
  period: { firstYear: number; lastYear: number };
  /** Years whose cycles have started, oldest first; their own workflows tell how far each has got. */
  started: number[];
  /** Years whose cycles have ended, in the order they ended. */
  ended: YearOutcome[];
  nextYear: number | null;
  /** The last year's outcome, once the program has ended. */
  final: YearOutcome | null;
  state: 'running' | 'done';
  /** Which run of the program this is: it continues as new after starting each year's cycle. */
  run: number;
}

export const programStatusQuery = defineQuery<ProgramStatus>('program.status');

/** A cycle started by the program tells it that its year has ended (the program's current run, by workflow id). */
export const cycleEndedSignal = defineSignal<[YearOutcome]>('program.cycleEnded');
