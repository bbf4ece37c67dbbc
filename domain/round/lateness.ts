/**
 * When a submission is late: the one rule, used by the round workflows, the receipt, the stored
 * obligation, the status views, the mails and the compliance figures.
 *
 * Decision 925/QĐ-UBND (Art. 2, point 3) asks for reports "trước ngày 25" of the quarter's last month.
 * kybao's reading (DOMAIN.md): the deadline is the instant 00:00 of the 25th in the program's zone; a
 * submission strictly before that instant is on time, one AT the instant or after it is late. A late
 * submission at the instant itself is late by 0 ms, so "late" is a mark of its own, never `lateByMs > 0`.
 */
export function isLate(atMs: number, dueAtMs: number): boolean {
  return atMs >= dueAtMs;
}

/** How late (ms, ≥ 0): 0 when on time, and also 0 for a submission at the deadline instant itself. */
export function lateByMs(atMs: number, dueAtMs: number): number {
  return Math.max(0, atMs - dueAtMs);
}
