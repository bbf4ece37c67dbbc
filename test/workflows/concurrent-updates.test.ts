import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { approvePlanUpdate, cycleStatusQuery, startAdhocRoundUpdate, yearlyCycleWorkflow } from '../../workflows/cycle';
import { decideEstimateUpdate, estimatesStatusQuery, submitEstimateUpdate, type estimatesWorkflow } from '../../workflows/estimates';
import { cycleWorkflowId, estimatesWorkflowId, roundIdOf } from '../../workflows/ids';
import { at, skipTo } from '../helpers/clock';
import { shardStatus } from '../helpers/rounds';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker } from '../helpers/temporal';

/**
 * Issue #12, item 1: a validator and its handler are not atomic, so every Update kybao has is sent twice
 * at once, and the outcome must be one that the two in some order would give. The case that broke
 * before: two extensions of one unit, the second earlier than the first, both accepted and the deadline
 * moved back. Each pair below goes out in one Promise.all; the workflows take them in whichever order
 * the server delivers them, and the assertions hold for both orders.
 */
type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[Outcome<A>, Outcome<B>]> {
  const settle = <T>(p: Promise<T>): Promise<Outcome<T>> =>
    p.then(
      (value) => ({ ok: true as const, value }),
      // The gateway's refusal names the workflow's reason; a direct Update's error carries it in its cause.
      (err: unknown) => ({ ok: false as const, message: [(err as Error).message, (err as { cause?: Error }).cause?.message].filter(Boolean).join(' | ') }),
    );
  return Promise.all([settle(a), settle(b)]);
}

describe('every Update sent twice at once (time skipped, cycle 2015)', () => {
  const bed = useTestbed({ startAt: '2014-11-20T09:00:00+07:00' });

  it('keeps each human action atomic: rounds, estimate groups and the cycle', async () => {
    const { env, world } = bed();
    const program = world.program;
    const units = program.units.filter((u) => u.reports).map((u) => u.id);
    const [a, b, c] = units;
    const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue: '' });
    const plan = roundIdOf(program.id, '2015-plan');
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    await worker.runUntil(async () => {
      const cycle = await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(program.id, 2015), args: [{ programRef: world.programRef, year: 2015 }] });
      const group = env.client.workflow.getHandle<typeof estimatesWorkflow>(estimatesWorkflowId(program.id, 2015, 1));
      await skipTo(env, at('2014-12-01T10:00'));

      // round.submitReport: two versions of one unit's plan at once get versions 1 and 2, both stored.
      const [s1, s2] = await both(
        gateway.submitReport(plan, { unitId: a!, submittedBy: 'clerk-1', reference: 'plan-a-1.pdf', amountVnd: '100000000' }),
        gateway.submitReport(plan, { unitId: a!, submittedBy: 'clerk-2', reference: 'plan-a-2.pdf', amountVnd: '200000000' }),
      );
      expect(s1.ok && s2.ok).toBe(true);
      const versions = [s1, s2].map((s) => (s.ok ? s.value.version : 0)).sort();
      expect(versions).toEqual([1, 2]);
      const stored = await world.db.submission.findMany({ where: { obligation: { roundId: plan, unitId: a! } }, orderBy: { version: 'asc' } });
      expect(stored.map((r) => r.version)).toEqual([1, 2]);

      // round.extendDeadline: "until the 21st" and "until the 18th" at once (both after the 16th). Whatever the order, the
      // deadline in force ends at the later one: the earlier is refused once the later is granted.
      const [e1, e2] = await both(
        gateway.extendDeadline(plan, { unitId: b!, until: '2014-12-21T00:00:00+07:00', reason: 'gia hạn lần 1', grantedBy: 'coordinator-1' }),
        gateway.extendDeadline(plan, { unitId: b!, until: '2014-12-18T00:00:00+07:00', reason: 'gia hạn lần 2', grantedBy: 'coordinator-2' }),
      );
      expect(e1.ok).toBe(true);
      if (!e2.ok) expect(e2.message).toMatch(/an extension must move the deadline later/);
      const unitB = (await shardStatus(env, plan)).units.find((u) => u.unitId === b)!;
      expect(unitB.dueAt).toBe('2014-12-20T17:00:00.000Z');
      const rowB = await world.db.obligation.findUniqueOrThrow({ where: { roundId_unitId: { roundId: plan, unitId: b! } } });
      expect(rowB.dueAt.toISOString()).toBe('2014-12-20T17:00:00.000Z');
      expect(unitB.extensions.map((x) => x.until).at(-1)).toBe('2014-12-20T17:00:00.000Z');

      // estimates.submit: two estimates of one unit at once become versions 1 and 2, stored in that order.
      const [v1, v2] = await both(
        group.executeUpdate(submitEstimateUpdate, { args: [{ unitId: c!, amountVnd: '300000000', submittedBy: 'clerk-1' }] }),
        group.executeUpdate(submitEstimateUpdate, { args: [{ unitId: c!, amountVnd: '400000000', submittedBy: 'clerk-2' }] }),
      );
      expect([v1, v2].map((v) => (v.ok ? v.value.version : 0)).sort()).toEqual([1, 2]);
      const latestC = (await group.query(estimatesStatusQuery)).estimates.find((e) => e.unitId === c)!;
      const rowsC = await world.db.budgetEstimate.findMany({ where: { unitId: c! }, orderBy: { version: 'asc' } });
      expect(rowsC.map((r) => r.version)).toEqual([1, 2]);
      expect(rowsC.at(-1)!.amountVnd.toString()).toBe(latestC.amountVnd);

      // Every other unit sends its plan so the appraisal has all estimates; then the appraisal opens.
      for (const unitId of units.filter((u) => u !== a)) {
        await gateway.submitReport(plan, { unitId, submittedBy: `clerk@${unitId}`, reference: `plan-${unitId}.pdf`, amountVnd: '500000000' });
      }
      await skipTo(env, at('2014-12-30T10:00'));
      await waitFor(cycle, (s) => s.phase === 'appraisal');

      // estimates.decide: "approve" and "return" of one estimate at once: exactly one is taken.
      const [d1, d2] = await both(
        group.executeUpdate(decideEstimateUpdate, { args: [{ decision: 'approve', unitId: a!, decidedBy: 'appraiser-1' }] }),
        group.executeUpdate(decideEstimateUpdate, { args: [{ decision: 'return', unitId: a!, decidedBy: 'appraiser-2', reason: 'Thiếu thuyết minh' }] }),
      );
      expect([d1.ok, d2.ok].filter(Boolean)).toHaveLength(1);
      const refused = [d1, d2].find((d) => !d.ok) as { message: string };
      expect(refused.message).toMatch(/only a submitted estimate can be decided/);
      const decisionsA = await world.db.appraisalDecision.count({ where: { estimate: { unitId: a! } } });
      expect(decisionsA).toBe(1);
      const estimateA = (await group.query(estimatesStatusQuery)).estimates.find((e) => e.unitId === a)!;
      if (estimateA.status === 'returned') {
        await skipTo(env, at('2015-01-02T10:00'));
        await group.executeUpdate(submitEstimateUpdate, { args: [{ unitId: a!, amountVnd: '150000000', submittedBy: 'clerk-1' }] });
        await group.executeUpdate(decideEstimateUpdate, { args: [{ decision: 'approve', unitId: a!, decidedBy: 'appraiser-1' }] });
      }
      for (const e of (await group.query(estimatesStatusQuery)).estimates.filter((x) => x.status === 'submitted')) {
        await group.executeUpdate(decideEstimateUpdate, { args: [{ decision: 'approve', unitId: e.unitId, decidedBy: 'appraiser' }] });
      }
      await skipTo(env, at('2015-01-20T10:00'));
      await waitFor(cycle, (s) => s.phase === 'approval');

      // cycle.approvePlan: two approvals at once; one is taken, the other told who approved.
      const [p1, p2] = await both(
        cycle.executeUpdate(approvePlanUpdate, { args: [{ approvedBy: 'chu-tich' }] }),
        cycle.executeUpdate(approvePlanUpdate, { args: [{ approvedBy: 'pho-chu-tich' }] }),
      );
      expect([p1.ok, p2.ok].filter(Boolean)).toHaveLength(1);
      expect((([p1, p2].find((p) => !p.ok)) as { message: string }).message).toMatch(/was already approved by (chu-tich|pho-chu-tich)/);
      const approval = (await cycle.query(cycleStatusQuery)).approval!;
      expect([p1, p2].find((p) => p.ok && p.value.approval?.approvedBy === approval.approvedBy)).toBeDefined();

      // cycle.startAdhocRound: two requests at once start two rounds with distinct numbers.
      const request = (title: string) => ({ title, units: { unitIds: [a!, b!] }, deadline: '2015-02-10T00:00:00+07:00', startedBy: 'coordinator' });
      const [r1, r2] = await both(
        cycle.executeUpdate(startAdhocRoundUpdate, { args: [request('Báo cáo nhanh 1')] }),
        cycle.executeUpdate(startAdhocRoundUpdate, { args: [request('Báo cáo nhanh 2')] }),
      );
      const ids = [r1, r2].map((r) => (r.ok ? r.value.roundId : '')).sort();
      expect(ids).toEqual([roundIdOf(program.id, '2015-adhoc-1'), roundIdOf(program.id, '2015-adhoc-2')]);
      const adhocRounds = (await cycle.query(cycleStatusQuery)).rounds.filter((r) => r.kind === 'adhoc');
      expect(adhocRounds.map((r) => r.roundId).sort()).toEqual(ids);
    });
  }, 600_000);
});

async function waitFor(cycle: WorkflowHandle<typeof yearlyCycleWorkflow>, ok: (s: Awaited<ReturnType<typeof yearlyCycleWorkflow>>) => boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (ok(await cycle.query(cycleStatusQuery))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the cycle did not reach the expected phase');
}
