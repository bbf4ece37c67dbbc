import { roundCounts } from '../../app/status';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import { reportingUnits } from '../../domain/program/resolve';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { largestOf, measureWorkflows, roundWorkflows } from './measure';
import { programWithExtraUnits } from './synthetic-program';
import { concurrently, createScaleWorld } from './world';

/**
 * Phase B of the scale scenario, on the time-skipping server: the 2015-Q1 round (deadline 2015-03-25
 * 00:00 +07:00) of a program of `units` reporting units runs from its opening to its close. Most units
 * submit before the first reminder, some late (after the deadline, before the last escalation), the rest
 * never: reminders go to those still owing at each reminder instant, overdue marks and escalations to
 * those owing at the deadline and at each escalation instant, and the round closes with counts that must
 * match what was sent. Every figure is read back from the kybao database and the workflow histories.
 */
export interface LifecycleOptions {
  units: number;
  /** Share of units submitting before the first reminder (0–1). */
  onTimeShare?: number;
  /** Share of units submitting late (0–1). */
  lateShare?: number;
  clients?: number;
  /** Where to write the round's and its shards' histories (Temporal JSON), if anywhere. */
  historiesDir?: string;
  progress?: (line: string) => void;
}

export interface LifecycleFigures {
  units: number;
  shards: number;
  onTime: number;
  late: number;
  never: number;
  receipts: number;
  errors: number;
  /** Notifications queued for the round, by kind (one row per unit for per-unit kinds; digests for coordinators). */
  notifications: Record<string, number>;
  /** What the schedule says each per-unit kind must number. */
  expected: Record<string, number>;
  notificationsMatch: boolean;
  counts: Record<string, number> | null;
  countsMatch: boolean;
  closedAt: string | null;
  histories: ReturnType<typeof largestOf>;
  seconds: number;
}

const START = '2015-03-02T09:00:00+07:00';
/** When the late units submit: after the deadline and the first escalation, before the last one. */
const LATE_AT = Date.parse('2015-03-27T12:00:00+07:00');

export async function runLifecycle(options: LifecycleOptions): Promise<LifecycleFigures> {
  const progress = options.progress ?? (() => undefined);
  const began = Date.now();
  const extra = options.units - 26;
  if (extra < 0) throw new Error(`--units ${options.units}: the default program alone has 26 reporting units; give 26 or more`);
  const program = programWithExtraUnits(`scale-life-${options.units}`, extra);
  progress(`${options.units} units: time-skipping server from ${START}, loading the program`);
  const sw = await createScaleWorld({ program, server: { timeSkippingFrom: START } });
  const { env, world, taskQueue } = sw;
  try {
    return await sw.run(async () => {
      const q1 = computeYearSchedule(world.outline, 2015).rounds.find((r) => r.roundKey === '2015-Q1')!;
      const input = roundInputFromSchedule(world.outline, q1, { roundId: roundIdOf(program.id, '2015-Q1') });
      const unitIds = reportingUnits(program).map((u) => u.id);
      const onTimeCount = Math.round(unitIds.length * (options.onTimeShare ?? 0.9));
      const lateCount = Math.round(unitIds.length * (options.lateShare ?? 0.04));
      const onTime = unitIds.slice(0, onTimeCount);
      const late = unitIds.slice(onTimeCount, onTimeCount + lateCount);
      const never = unitIds.length - onTimeCount - lateCount;
      const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue, busyRetryMs: 300_000 });
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      let receipts = 0;
      const errors: string[] = [];
      const submitAll = (ids: string[]) =>
        concurrently(ids, options.clients ?? 32, async (unitId) => {
          try {
            await gateway.submitReport(input.roundId, { unitId, submittedBy: `clerk@${unitId}`, reference: `scale/${unitId}.pdf` });
            receipts += 1;
          } catch (err) {
            errors.push(`${unitId}: ${err instanceof Error ? err.message : String(err)}`);
          }
        });
      await sleepUntil(env, Date.parse('2015-03-13T10:00:00+07:00'));
      progress(`13 Mar 2015: ${onTime.length} units submit before the first reminder`);
      await submitAll(onTime);
      await sleepUntil(env, LATE_AT);
      progress(`27 Mar 2015: ${late.length} units submit late; ${never} never`);
      await submitAll(late);
      progress('waiting for the round to close at its last escalation');
      const result = await handle.result();
      const rows = await world.db.notification.groupBy({ by: ['kind'], where: { roundId: input.roundId }, _count: { _all: true } });
      const notifications = Object.fromEntries(rows.map((r) => [r.kind, r._count._all]));
      // Each per-unit notice is one row per unit: the opening notice to all; each reminder and the overdue mark to those
      // owing then; receipts by lateness; the first escalation step (to the unit's head, 26 Mar) to those still owing.
      const owing = unitIds.length - onTimeCount;
      const expected: Record<string, number> = {
        opened: unitIds.length,
        reminder: q1.reminders.length * owing,
        overdue: owing,
        receipt: onTimeCount,
        'late-receipt': lateCount,
        // An escalation step to the unit's head is one mail per unit owing at its instant (the late units have not sent
        // theirs before 27 Mar noon); a step above the units is one digest listing them all.
        escalation: q1.escalations.reduce(
          (n, e) => n + (e.recipients.includes('head') ? (e.atMs < LATE_AT ? owing : never) : 0) + (e.recipients.some((r) => r !== 'head') ? 1 : 0),
          0,
        ),
      };
      const notificationsMatch = Object.entries(expected).every(([kind, n]) => (notifications[kind] ?? 0) === n);
      const stored = await roundCounts(world.db, input.roundId);
      const countsMatch =
        result.counts?.submitted === onTimeCount && result.counts?.late === lateCount && result.counts?.missing === never &&
        stored.counts.submitted === onTimeCount && stored.counts.late === lateCount && stored.counts.missing === never;
      const histories = largestOf(await measureWorkflows(env.client, await roundWorkflows(env.client, handle.workflowId), options.historiesDir));
      return {
        units: unitIds.length,
        shards: result.shards,
        onTime: onTimeCount,
        late: lateCount,
        never,
        receipts,
        errors: errors.length,
        notifications,
        expected,
        notificationsMatch,
        counts: result.counts,
        countsMatch,
        closedAt: result.closedAt,
        histories,
        seconds: (Date.now() - began) / 1000,
      };
    });
  } finally {
    await sw.close();
  }
}

async function sleepUntil(env: { currentTimeMs(): Promise<number>; sleep(ms: number): Promise<void> }, targetMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (targetMs > now) await env.sleep(targetMs - now);
}
