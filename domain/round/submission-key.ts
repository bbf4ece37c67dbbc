/**
 * The idempotency key of a submission a shard receipted: round, unit and the version the shard gave it.
 * The shard's writer stores the row under this key (a retried activity finds its own row), and the
 * gateway looks for it before handing the receipt on.
 */
export function submissionKey(roundId: string, unitId: string, version: number): string {
  return `${roundId}|${unitId}|v${version}`;
}
