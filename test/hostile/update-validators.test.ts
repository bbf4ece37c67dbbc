import fc from 'fast-check';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { DateTime } from 'luxon';
import { roundInput } from '../../domain/round/from-schedule';
import { approvePlanUpdate, cycleStatusQuery, startAdhocRoundUpdate, yearlyCycleWorkflow } from '../../workflows/cycle';
import { decideEstimateUpdate, estimatesStatusQuery, submitEstimateUpdate } from '../../workflows/estimates';
import { cycleWorkflowId, estimatesWorkflowId, roundIdOf, roundShardWorkflowId, roundWorkflowId } from '../../workflows/ids';
import { extendDeadlineUpdate, shardStatusQuery, submitReportUpdate } from '../../workflows/round-messages';
import type { Db } from '../../infra/db/client';
import { roundWorkflow } from '../../workflows/round';
import { createTestWorker } from '../helpers/temporal';
import { useTestbed } from '../helpers/testbed';
import { anyText, badAmount, badInstant, nearMiss, notAnObject, oversized, runs, wrongType } from './arbitraries';

/**
 * Hostile payloads through a real client to every Update validator kybao has, on a dev server: a round's
 * shard (round.submitReport, round.extendDeadline), a yearly cycle in planning (cycle.approvePlan,
 * cycle.startAdhocRound) and its estimate group (estimates.submit, estimates.decide). Every payload is
 * malformed, wrong-typed, oversized, Unicode-tricky (zero-width, bidi marks, NFD, look-alikes) or out of
 * bounds, so each must be refused with a short message that names what was wrong; afterwards the
 * workflows still run, their histories hold no accepted Update, nothing was written to the database,
 * and a valid action still goes through.
 */
const thisYear = DateTime.now().setZone('Asia/Ho_Chi_Minh').year;

/** The refusal's message; fails when the Update was accepted or failed some other way than a refusal. */
async function refusal(update: Promise<unknown>): Promise<string> {
  const outcome = await update.then(
    () => null,
    (e: unknown) => e,
  );
  if (outcome === null) throw new Error('accepted, but it should have been refused');
  if (!(outcome instanceof WorkflowUpdateFailedError)) throw new Error(`not a refusal: ${String(outcome)}`);
  return String((outcome.cause as Error | undefined)?.message ?? outcome.message);
}

/** A clear refusal: says what was wrong in a sentence, not a dump of the input. */
function expectClear(message: string, names: RegExp): void {
  expect(message.length).toBeGreaterThan(10);
  expect(message.length).toBeLessThan(1_000);
  expect(message).toMatch(names);
}

/** Draws one field to spoil: the payload is the valid one with that field replaced, or a required field left out. */
function spoil(valid: Record<string, unknown>, bad: Record<string, fc.Arbitrary<unknown>>, required: string[]): fc.Arbitrary<unknown> {
  const fields = Object.entries(bad).map(([field, arb]) => arb.map((v) => ({ ...valid, [field]: v })));
  const dropped = fc.constantFrom(...required).map((field) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field)));
  return fc.oneof(notAnObject(), dropped, ...fields);
}

describe('every Update validator refuses hostile payloads (dev server, property-based)', () => {
  const bed = useTestbed({ server: 'dev' });
  const counts: string[] = [];
  afterAll(() => console.log(`hostile Update payloads refused:\n  ${counts.join('\n  ')}`));

  it('refuses them all and nothing changes: rounds, cycles and estimate groups', async () => {
    const { env, world } = bed();
    const units = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const [a, b] = [units[0]!, units[1]!];
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    await worker.runUntil(async () => {
      // A round of two units, due in eight days; a cycle of next year, in planning (its estimate groups run).
      const roundId = roundIdOf(world.program.id, `hostile-${process.pid}`);
      const deadline = DateTime.now().setZone(world.program.timeZone).plus({ days: 8 }).startOf('day').toISO()!;
      await env.client.workflow.start(roundWorkflow, {
        taskQueue,
        workflowId: roundWorkflowId(roundId),
        args: [roundInput(world.outline, { roundId, kind: 'adhoc', year: thisYear, title: { vi: 'Báo cáo thử', en: 'Test report' }, deadline, audience: { unitIds: [a, b] } })],
      });
      const year = thisYear + 1;
      const cycle = await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(world.program.id, year), args: [{ programRef: world.programRef, year }] });
      const shard = env.client.workflow.getHandle(roundShardWorkflowId(roundId, 1));
      const group = env.client.workflow.getHandle(estimatesWorkflowId(world.program.id, year, 1));
      await eventually(async () => (await shard.query(shardStatusQuery)).phase === 'open');
      await eventually(async () => (await cycle.query(cycleStatusQuery)).phase === 'planning');
      await eventually(async () => (await group.query(estimatesStatusQuery)).phase === 'planning');

      // The cycle's plan round sends its opening notices meanwhile: start counting once they are all queued.
      let before = await snapshot(world.db);
      for (let stable = 0; stable < 3; ) {
        await new Promise((r) => setTimeout(r, 1_000));
        const now = await snapshot(world.db);
        stable = JSON.stringify(now) === JSON.stringify(before) ? stable + 1 : 0;
        before = now;
      }
      const histories = async () => Promise.all([shard, cycle, group].map(async (h: WorkflowHandle) => (await h.fetchHistory()).events?.length ?? 0));
      const historyBefore = await histories();

      // ---- round.submitReport
      const validReport = { unitId: a, submittedBy: `clerk@${a}`, reference: 'bao-cao.pdf', note: 'ghi chú', receivedAt: new Date().toISOString() };
      const badReport = spoil(validReport, {
        unitId: fc.oneof(nearMiss(a), oversized(), wrongType(), fc.constantFrom('', 'khong-co-don-vi')),
        submittedBy: fc.oneof(wrongType(), fc.constant('')),
        reference: fc.oneof(wrongType(), fc.constant('')),
        note: fc.oneof(wrongType(), oversized()),
        amountVnd: badAmount(),
        receivedAt: fc.oneof(badInstant(), fc.constantFrom(new Date(Date.now() + 3_600_000).toISOString(), new Date(Date.now() - 3_600_000).toISOString())),
      }, ['unitId', 'submittedBy', 'reference']);
      counts.push(
        await check('round.submitReport', badReport, async (p) => {
          expectClear(await refusal(shard.executeUpdate(submitReportUpdate, { args: [p as never] })), /malformed payload: \w+|unit ".*" is not in round|receivedAt|arrived at/s);
        }),
      );

      // ---- round.extendDeadline
      const validExtension = { unitId: b, until: DateTime.fromISO(deadline).plus({ days: 5 }).toISO()!, reason: 'lý do gia hạn', grantedBy: 'coordinator' };
      const badExtension = spoil(validExtension, {
        unitId: fc.oneof(nearMiss(b), oversized(), wrongType()),
        until: fc.oneof(badInstant(), fc.constantFrom(new Date(Date.now() - 86_400_000).toISOString(), deadline)),
        reason: fc.oneof(wrongType(), fc.constantFrom('', 'ok', '\u200b\u200b')),
        grantedBy: fc.oneof(wrongType(), fc.constant('')),
      }, ['unitId', 'until', 'reason', 'grantedBy']);
      counts.push(
        await check('round.extendDeadline', badExtension, async (p) => {
          expectClear(await refusal(shard.executeUpdate(extendDeadlineUpdate, { args: [p as never] })), /malformed payload: \w+|unit ".*" is not in round|into the past|must move the deadline later/s);
        }),
      );

      // ---- cycle.approvePlan: malformed, or well-formed but the cycle is in planning
      counts.push(
        await check('cycle.approvePlan', spoil({ approvedBy: 'chu-tich', note: 'đồng ý' }, { approvedBy: fc.oneof(wrongType(), fc.constant('')), note: fc.oneof(anyText(), wrongType()) }, ['approvedBy']), async (p) => {
          expectClear(await refusal(cycle.executeUpdate(approvePlanUpdate, { args: [p as never] })), /malformed payload: \w+|can be approved once appraisal is done/);
        }),
      );

      // ---- cycle.startAdhocRound (a category the program lacks, a past deadline, bad lists: refused by the validator)
      const validAdhoc = { title: 'Báo cáo đột xuất', units: { category: 'district' }, deadline: DateTime.now().plus({ days: 10 }).toISO()!, startedBy: 'coordinator' };
      const badAdhoc = spoil(validAdhoc, {
        title: fc.oneof(wrongType(), fc.constantFrom('', 'ab')),
        units: fc.oneof(
          wrongType(),
          fc.constantFrom({}, { all: false }, { unitIds: [] }, { category: '' }),
          nearMiss('district').map((category) => ({ category })),
          fc.constant({ unitIds: Array.from({ length: 1_001 }, (_, i) => `u-${i}`) }),
        ),
        deadline: fc.oneof(badInstant(), fc.constant(new Date(Date.now() - 60_000).toISOString())),
        // An empty list is a round without reminders (valid), not a wrong type.
        reminderOffsets: fc.oneof(wrongType().filter((v) => !(Array.isArray(v) && v.length === 0)), fc.constantFrom([0], [-1], [61], [1.5], ['1'])),
        startedBy: fc.oneof(wrongType(), fc.constant('')),
      }, ['title', 'units', 'deadline', 'startedBy']);
      counts.push(
        await check('cycle.startAdhocRound', badAdhoc, async (p) => {
          expectClear(await refusal(cycle.executeUpdate(startAdhocRoundUpdate, { args: [p as never] })), /malformed payload: \w+|no unit has category|has already passed/s);
        }),
      );

      // ---- estimates.submit and estimates.decide (decisions are refused in planning whatever they say)
      const validEstimate = { unitId: a, amountVnd: '1250000000', submittedBy: `clerk@${a}`, note: 'dự toán' };
      const badEstimate = spoil(validEstimate, {
        unitId: fc.oneof(nearMiss(a), oversized(), wrongType()),
        amountVnd: badAmount(),
        submittedBy: fc.oneof(wrongType(), fc.constant('')),
        note: fc.oneof(wrongType(), oversized()),
      }, ['unitId', 'amountVnd', 'submittedBy']);
      counts.push(
        await check('estimates.submit', badEstimate, async (p) => {
          expectClear(await refusal(group.executeUpdate(submitEstimateUpdate, { args: [p as never] })), /malformed payload: \w+|unit ".*" is not in estimate group/s);
        }),
      );
      const badDecision = fc.oneof(
        spoil({ decision: 'approve', unitId: a, decidedBy: 'tham-dinh' }, { decision: fc.oneof(wrongType(), fc.constantFrom('APPROVE', 'approve\u200b', 'reject')), unitId: fc.oneof(nearMiss(a), wrongType()) }, ['decision', 'unitId', 'decidedBy']),
        spoil({ decision: 'adjust', unitId: a, decidedBy: 'tham-dinh', amountVnd: '100', reason: 'định mức' }, { amountVnd: badAmount(), reason: fc.oneof(wrongType(), fc.constantFrom('', 'ab')) }, ['amountVnd', 'reason']),
        fc.record({ decision: fc.constant('approve'), unitId: fc.constant(a), decidedBy: fc.constant('tham-dinh') }),
      );
      counts.push(
        await check('estimates.decide', badDecision, async (p) => {
          expectClear(await refusal(group.executeUpdate(decideEstimateUpdate, { args: [p as never] })), /malformed payload: \w+|estimates are decided during appraisal/);
        }),
      );

      // A near-miss is shown as what it is: the invisible character spelled out, a long id cut.
      expect(await refusal(shard.executeUpdate(submitReportUpdate, { args: [{ ...validReport, unitId: `${a.slice(0, 3)}\u200b${a.slice(3)}` }] }))).toBe(
        `unit "${a.slice(0, 3)}\\u{200b}${a.slice(3)}" is not in round ${roundId} (shard 1)`,
      );
      expect(await refusal(shard.executeUpdate(submitReportUpdate, { args: [{ ...validReport, unitId: 'x'.repeat(150) }] }))).toBe(`unit "${'x'.repeat(60)}…" (150 characters) is not in round ${roundId} (shard 1)`);

      // Nothing changed: no accepted Update in any history, no row written, every workflow still running.
      expect(await histories()).toEqual(historyBefore);
      expect(await snapshot(world.db)).toEqual(before);
      for (const h of [shard, cycle, group]) expect((await h.describe()).status.name).toBe('RUNNING');
      // …and not stuck: valid actions go through.
      expect(await shard.executeUpdate(submitReportUpdate, { args: [validReport] })).toMatchObject({ unitId: a, version: 1, onTime: true });
      expect(await shard.executeUpdate(extendDeadlineUpdate, { args: [validExtension] })).toMatchObject({ unitId: b, status: 'extended' });
      expect(await group.executeUpdate(submitEstimateUpdate, { args: [validEstimate] })).toMatchObject({ unitId: a, amountVnd: '1250000000' });
    });
  });
});

async function check(name: string, arb: fc.Arbitrary<unknown>, refuse: (payload: unknown) => Promise<void>): Promise<string> {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (payload) => {
      n += 1;
      await refuse(payload);
    }),
    { numRuns: runs(100), seed: Number(process.env.KYBAO_PROPERTY_SEED ?? Date.now() % 2 ** 31) },
  );
  return `${name}: ${n} runs, all refused`;
}

/** Row counts of every table an Update could write to. */
async function snapshot(db: Db): Promise<Record<string, number>> {
  return {
    submission: await db.submission.count(),
    obligation: await db.obligation.count(),
    round: await db.round.count(),
    budgetEstimate: await db.budgetEstimate.count(),
    appraisalDecision: await db.appraisalDecision.count(),
    extensionRequest: await db.extensionRequest.count(),
    notification: await db.notification.count(),
    auditLog: await db.auditLog.count(),
  };
}

async function eventually(probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
