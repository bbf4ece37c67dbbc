import type { Db } from '../../infra/db/client';

/** The outbox rows of a round as (unit, kind, step, planned instant) for exact assertions. */
export async function outboxOf(db: Db, roundId: string) {
  const rows = await db.notification.findMany({ where: { roundId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map((r) => ({
    unitId: r.unitId,
    kind: r.kind,
    step: r.step,
    at: r.createdAt.getTime(),
    to: (JSON.parse(r.recipients) as Array<{ email: string; role?: string }>).map((x) => x.email),
    key: r.idempotencyKey,
  }));
}
