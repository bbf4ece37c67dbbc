import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

/** Units listed by name in a log line; a shard's batch (hundreds) is logged as its count and first names. */
const MAX_UNITS_LOGGED = 20;

/**
 * The round and units an activity acts on, read from its one request object (activities/round-types.ts:
 * `roundId`, `input.roundId`, `unitId`, `unitIds`, `submissions[].unitId`, `shard`).
 */
export function businessIdsOf(request: unknown): Record<string, unknown> {
  if (typeof request !== 'object' || request === null) return {};
  const r = request as Record<string, unknown>;
  const input = typeof r.input === 'object' && r.input !== null ? (r.input as Record<string, unknown>) : {};
  const roundId = typeof r.roundId === 'string' ? r.roundId : typeof input.roundId === 'string' ? input.roundId : undefined;
  const units = new Set<string>();
  if (typeof r.unitId === 'string') units.add(r.unitId);
  if (Array.isArray(r.unitIds)) for (const u of r.unitIds) if (typeof u === 'string') units.add(u);
  if (Array.isArray(r.submissions)) for (const s of r.submissions) if (typeof (s as { unitId?: unknown })?.unitId === 'string') units.add((s as { unitId: string }).unitId);
  const unitIds = [...units];
  return {
    ...(roundId !== undefined ? { roundId } : {}),
    ...(typeof r.shard === 'number' ? { shard: r.shard } : {}),
    ...(unitIds.length ? { unitIds: unitIds.slice(0, MAX_UNITS_LOGGED), unitCount: unitIds.length } : {}),
  };
}

/**
 * Adds the round and unit ids of an activity's input to every log line of that activity (the SDK's own
 * "Activity started/completed/failed" lines included), and writes one `info` line when it completes, so
 * a production log at level info says which activity did what for which round and units, and for how long.
 */
export function activityLogInterceptors(ctx: Context): ActivityInterceptors {
  let ids: Record<string, unknown> = {};
  return {
    inbound: {
      async execute(input, next) {
        ids = businessIdsOf(input.args[0]);
        const started = Date.now();
        const result = await next(input);
        ctx.log.info('activity completed', { durationMs: Date.now() - started });
        return result;
      },
    },
    outbound: {
      getLogAttributes(attrs, next) {
        const { taskToken: _token, ...rest } = next(attrs);
        return { ...rest, ...ids };
      },
    },
  };
}
