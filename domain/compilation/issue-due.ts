import { addWorkingDays, instantAt, localDateOf, plusDays } from '../calendar';
import type { CalendarPolicy } from '../calendar/policy';
import type { CompiledReportModel } from './model';

/** The default of `compilation.issueWithinWorkingDays` (domain/program/forms.ts). */
export const DEFAULT_ISSUE_WITHIN_WORKING_DAYS = 10;

/**
 * When a round's compiled report is due to be issued: `issueWithinWorkingDays` working days after the
 * round's deadline (program.compilation; an assumption of the project, the decision gives no date).
 * Counted like escalations (domain/calendar/notices.ts): the deadline day D is the civil day of the
 * round's deadline in the program's zone, the n-th working day strictly after D is the last day, and the
 * report is due before 00:00 of the following day, the same reading as "before the 25th". Example: Q1
 * 2015, deadline 2015-03-25T00:00+07:00, 10 working days: the last day is Wednesday 8 April, due
 * 2015-04-09T00:00+07:00.
 *
 * Returns epoch ms, or null for scopes without a rule (a year's or a review's report).
 */
export function issueDueAt(model: Pick<CompiledReportModel, 'scope' | 'compliance' | 'timeZone'>, rules: { calendar: CalendarPolicy; issueWithinWorkingDays?: number }): number | null {
  if (model.scope.kind !== 'round') return null;
  const roundId = model.scope.roundId;
  const round = model.compliance.rounds.find((r) => r.roundId === roundId);
  if (!round) return null;
  const day = localDateOf(Date.parse(round.deadline), model.timeZone);
  const lastDay = addWorkingDays(day, rules.issueWithinWorkingDays ?? DEFAULT_ISSUE_WITHIN_WORKING_DAYS, rules.calendar);
  return instantAt(plusDays(lastDay, 1), '00:00', model.timeZone).toMillis();
}

/**
 * Whether the report is behind its due instant: a draft at or past it (at that instant it is late), or a
 * report issued at or past it.
 */
export function issueOverdue(dueAt: number | null, state: { status: 'draft' } | { status: 'issued'; issuedAt: string }, now: number): boolean {
  if (dueAt === null) return false;
  return state.status === 'issued' ? Date.parse(state.issuedAt) >= dueAt : now >= dueAt;
}
