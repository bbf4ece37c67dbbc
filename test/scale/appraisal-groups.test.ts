import { ESTIMATE_GROUP_SIZE, estimateGroupsOf } from '../../domain/cycle/estimate-groups';
import { cycleStatusQuery, yearlyCycleWorkflow } from '../../workflows/cycle';
import { decideEstimateUpdate, submitEstimateUpdate, type estimatesWorkflow } from '../../workflows/estimates';
import { cycleWorkflowId, estimatesWorkflowId, roundIdOf } from '../../workflows/ids';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { at, skipTo } from '../helpers/clock';
import { programWithExtraUnits } from '../helpers/programs';
import { createTestWorker, expectUpdateRejected } from '../helpers/temporal';
import { useTestbed } from '../helpers/testbed';

/**
 * Budget appraisal over several groups: a program of 426 reporting units (two full groups and a partial
 * one; 1,026 units behave the same, six groups, and take CI three times as long) sends every plan with an estimate; the
 * appraiser decides every one, returning every tenth, which comes back and is approved. The estimates
 * live in groups of at most ESTIMATE_GROUP_SIZE units, so the cycle's history does not grow with the
 * number of units and no group's history comes near Temporal's limits; the test prints both.
 */
const EXTRA_UNITS = 400;

describe(`budget appraisal of ${EXTRA_UNITS + 26} units (time skipped)`, () => {
  const bed = useTestbed({ startAt: '2014-11-20T09:00:00+07:00', program: () => programWithExtraUnits('appraisal-scale', EXTRA_UNITS) });

  it('keeps the cycle small and every estimate group under 10,000 events', async () => {
    const { env, world } = bed();
    const program = world.program;
    const year = 2015;
    const groups = estimateGroupsOf(program);
    const units = groups.flat();
    expect(units).toHaveLength(EXTRA_UNITS + 26);
    expect(groups.length).toBe(Math.ceil(units.length / ESTIMATE_GROUP_SIZE));
    const { worker, taskQueue } = await createTestWorker(env, world.activities);

    const { cycleEvents, groupEvents, final } = await worker.runUntil(async () => {
      const cycle = await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(program.id, year), args: [{ programRef: world.programRef, year }] });
      const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue });
      const planId = roundIdOf(program.id, `${year}-plan`);
      await until(async () => (await cycle.query(cycleStatusQuery)).rounds.find((r) => r.kind === 'annual-plan')?.state === 'open');

      await skipTo(env, at('2014-12-10T10:00'));
      await inParallel(units, (unitId, i) =>
        gateway.submitReport(planId, { unitId, submittedBy: `clerk@${unitId}`, reference: `plans/${unitId}.pdf`, amountVnd: String(1_000_000_000 + i) }),
      );

      // The plan round closes at its cut-off (19 Dec 08:00) and the appraisal opens.
      await skipTo(env, at('2014-12-22T10:00'));
      await until(async () => (await cycle.query(cycleStatusQuery)).phase === 'appraisal');
      const group = (unitId: string) => env.client.workflow.getHandle<typeof estimatesWorkflow>(estimatesWorkflowId(program.id, year, Math.floor(units.indexOf(unitId) / ESTIMATE_GROUP_SIZE) + 1));
      // A group refuses a unit another group holds, naming itself.
      const elsewhere = units[ESTIMATE_GROUP_SIZE]!;
      await expectUpdateRejected(
        env.client.workflow.getHandle(estimatesWorkflowId(program.id, year, 1)).executeUpdate(decideEstimateUpdate, { args: [{ decision: 'approve', unitId: elsewhere, decidedBy: 'x' }] }),
        new RegExp(`unit "${elsewhere}" is not in estimate group 1 of 2015, which holds ${ESTIMATE_GROUP_SIZE} units`),
      );
      const returned = units.filter((_, i) => i % 10 === 0);
      await inParallel(units, (unitId, i) =>
        group(unitId).executeUpdate(decideEstimateUpdate, {
          args: [i % 10 === 0 ? { decision: 'return', unitId, decidedBy: 'appraiser@so-tc', reason: 'Thiếu thuyết minh' } : { decision: 'approve', unitId, decidedBy: 'appraiser@so-tc' }],
        }),
      );
      await skipTo(env, at('2014-12-24T10:00'));
      await inParallel(returned, (unitId) => group(unitId).executeUpdate(submitEstimateUpdate, { args: [{ unitId, amountVnd: '900000000', submittedBy: `clerk@${unitId}` }] }));
      await inParallel(returned, (unitId) => group(unitId).executeUpdate(decideEstimateUpdate, { args: [{ decision: 'approve', unitId, decidedBy: 'appraiser@so-tc' }] }));

      await until(async () => (await cycle.query(cycleStatusQuery)).phase === 'approval');
      const groupEvents: number[] = [];
      const estimates = [];
      const revisionRounds = [];
      for (let g = 1; g <= groups.length; g++) {
        const handle = env.client.workflow.getHandle<typeof estimatesWorkflow>(estimatesWorkflowId(program.id, year, g));
        const result = await handle.result();
        expect(result.phase).toBe('settled');
        estimates.push(...result.estimates);
        revisionRounds.push(...result.revisionRounds);
        groupEvents.push((await handle.fetchHistory()).events?.length ?? 0);
      }
      const final = { ...(await cycle.query(cycleStatusQuery)), estimates, revisionRounds };
      const cycleEvents = (await cycle.fetchHistory()).events?.length ?? 0;
      await cycle.terminate('the test ends after the appraisal');
      return { cycleEvents, groupEvents, final };
    });

    // Every estimate ended approved; the returned ones at their second version, after a revision round.
    expect(final.estimates).toHaveLength(units.length);
    expect(final.estimates.every((e) => e.status === 'approved')).toBe(true);
    expect(final.estimates.filter((e) => e.version === 2 && e.returns === 1)).toHaveLength(Math.ceil(units.length / 10));
    expect(final.revisionRounds.filter((r) => r.kind === 'budget-revision' && r.state === 'closed')).toHaveLength(Math.ceil(units.length / 10));
    expect(final.estimateGroups).toEqual({ count: groups.length, settled: groups.length });
    const largestGroup = Math.max(...groupEvents);
    console.log(
      `appraisal of ${units.length} units in ${groups.length} groups: cycle history ${cycleEvents} events up to approval; ` +
        `group histories ${groupEvents.join(', ')} events (largest ${largestGroup}, limit 10,000)`,
    );
    expect(largestGroup).toBeLessThan(10_000);
    // The cycle holds a few events per group, not per unit (the 26-unit cycle up to approval has about 60).
    expect(cycleEvents).toBeLessThan(150 + 10 * groups.length);
  }, 900_000);
});

/** Runs `task` over `items`, 16 at a time (like many clerks at once), in order of start. */
async function inParallel<T>(items: T[], task: (item: T, index: number) => Promise<unknown>, width = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}

async function until(ok: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
