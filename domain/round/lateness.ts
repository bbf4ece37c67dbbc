/**
 * When is a submission late? The one rule that every part of kybao asks: the round (its state and its
 * receipts), the stored obligation, `kybao submit` and `kybao status`, the mail (receipt or late
 * receipt, "time left" or "overdue"), the compliance figures and the audit timeline.
 *
 * Source: Decision 925/QĐ-UBND (Thái Bình, 6 May 2014), Art. 2.5: quarterly reports reach Sở Thông tin
 * và Truyền thông "trước ngày 25 tháng cuối quý" (before the 25th of the quarter's last month). The
 * project reads "before the 25th" as a deadline INSTANT, 00:00 on the 25th in the program's zone
 * (Asia/Ho_Chi_Minh, +07:00), so the 24th is the last day (shared/DOMAIN.md, "Assumptions"; the program
 * file's `cutoff: start-of-day`). A submission at the instant itself, 00:00:00.000 on the 25th, is no
 * longer "before the 25th": it is late, by 0 ms. One millisecond earlier it is on time.
 *
 * Example: Q1 2015 is due 2015-03-25T00:00:00+07:00 (epoch 1427216400000).
 *   isLate(1427216400000, 1427216400000) → true,  lateByMs → 0, status "late"
 *   isLate(1427216399999, 1427216400000) → false, lateByMs → 0, status "submitted"
 *
 * Pure and deterministic (no clock): safe for workflow code.
 */
import { type IsoDate, localDateOf } from '../calendar/local-date';

/** What the first version of a report makes of its obligation: on time ("submitted") or "late". */
export type SubmissionStatus = 'submitted' | 'late';

export interface Lateness {
  /** True at or after the deadline instant. */
  late: boolean;
  /** Milliseconds after the deadline instant; 0 when on time and 0 at the instant itself. */
  lateByMs: number;
  /** The obligation status this gives a first submission. */
  status: SubmissionStatus;
}

function instant(ms: number, what: string): number {
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be epoch milliseconds, got ${ms}`);
  return ms;
}

/**
 * True when something done at `atMs` misses a deadline at `dueAtMs` (both epoch ms): at or after the
 * instant. Throws a RangeError when either is not a finite number (an unparsed date, say).
 */
export function isLate(atMs: number, dueAtMs: number): boolean {
  return instant(atMs, 'the submission instant') >= instant(dueAtMs, 'the deadline instant');
}

/** How late, in ms: `atMs − dueAtMs`, never negative (0 when on time, and 0 at the instant itself). */
export function lateByMs(atMs: number, dueAtMs: number): number {
  return Math.max(0, instant(atMs, 'the submission instant') - instant(dueAtMs, 'the deadline instant'));
}

/** The rule's whole answer for a submission at `atMs` against the deadline in force `dueAtMs`. */
export function lateness(atMs: number, dueAtMs: number): Lateness {
  const late = isLate(atMs, dueAtMs);
  return { late, lateByMs: lateByMs(atMs, dueAtMs), status: late ? 'late' : 'submitted' };
}

/** The same for ISO-8601 instants (database rows, mail inputs); throws a RangeError on an unparsable one. */
export function latenessOfIso(at: string, dueAt: string): Lateness {
  const atMs = Date.parse(at);
  const dueMs = Date.parse(dueAt);
  if (Number.isNaN(atMs)) throw new RangeError(`"${at}" is not an ISO-8601 instant`);
  if (Number.isNaN(dueMs)) throw new RangeError(`"${dueAt}" is not an ISO-8601 instant`);
  return lateness(atMs, dueMs);
}

/**
 * The last civil day (YYYY-MM-DD, in `timeZone`, e.g. Asia/Ho_Chi_Minh) on which a report is still on
 * time: the day of the last on-time instant, one millisecond before the deadline. A deadline at 00:00
 * on the 25th gives the 24th; one at 17:00 on the 9th gives the 9th. This is the day every short text
 * (mail subjects, command confirmations) names, because "due 25/03" alone reads as "the 25th is fine".
 */
export function lastDayToSubmit(dueAtMs: number, timeZone: string): IsoDate {
  return localDateOf(instant(dueAtMs, 'the deadline instant') - 1, timeZone);
}
