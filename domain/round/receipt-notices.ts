/**
 * The receipt notices that follow stored submissions: one notice per kind (on time: `receipt`, late:
 * `late-receipt`) and version, listing its units in the order they were stored, planned at the first
 * one's arrival instant. Pure, so the shard (histories recorded before 0.2.2, which sent receipts as
 * their own activity) and `recordSubmissions` (which queues them itself since) group them alike.
 */
export interface ReceiptNotice {
  kind: 'receipt' | 'late-receipt';
  /** The submission version: part of each notice's idempotency key. */
  step: number;
  unitIds: string[];
  /** ISO instant. */
  at: string;
}

export function receiptNotices(submissions: ReadonlyArray<{ unitId: string; version: number; late: boolean; submittedAt: string }>): ReceiptNotice[] {
  const groups = new Map<string, ReceiptNotice>();
  for (const s of submissions) {
    const kind = s.late ? 'late-receipt' : 'receipt';
    const key = `${kind}|${s.version}`;
    const group = groups.get(key) ?? { kind, step: s.version, unitIds: [], at: s.submittedAt };
    group.unitIds.push(s.unitId);
    groups.set(key, group);
  }
  return [...groups.values()];
}
