import { WorkflowGateway } from '../../app/workflow-gateway';
import { startAdhocRound } from '../../app/adhoc';
import { systemClock } from '../../app/context';
import { roundWorkflowId } from '../../workflows/ids';
import { submitReportUpdate } from '../../workflows/round';
import { DateTime } from 'luxon';
import { useCliBed } from '../helpers/cli-bed';

/**
 * Temporal refuses more than a few Updates in flight on one workflow at once ("limit on number of
 * concurrent in-flight updates", RESOURCE_EXHAUSTED). Many agencies submitting to one round at the
 * same moment must never see that: the gateway retries with backoff. On a real dev server, every unit
 * of an ad hoc round submits at once; sent straight through the client some are refused as busy, sent
 * through the gateway all get their receipt.
 */
describe('the workflow gateway under many concurrent submissions', () => {
  const bed = useCliBed({ server: 'dev' });

  it('retries "busy" answers until every submission has its receipt', async () => {
    const { env, world, taskQueue } = bed();
    const busy: string[] = [];
    const gateway = new WorkflowGateway(env.client, { taskQueue, updateTimeoutMs: 120_000, busyRetryMs: 120_000, onBusy: (id) => busy.push(id) });
    const c = { db: world.db, gateway, clock: systemClock };
    const deadline = DateTime.now().setZone('Asia/Ho_Chi_Minh').plus({ days: 20 }).toFormat('yyyy-MM-dd');
    const units = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const round = await startAdhocRound(c, { program: world.program, title: 'Báo cáo đồng loạt', deadline, units: { unitIds: units }, by: 'test' });
    for (let i = 0; i < 100 && (await world.db.obligation.count({ where: { roundId: round.roundId } })) < units.length; i++) await new Promise((r) => setTimeout(r, 100));
    const half = units.slice(0, units.length / 2);
    const rest = units.slice(units.length / 2);

    // Straight through the client: Temporal answers some of them "busy".
    const handle = env.client.workflow.getHandle(roundWorkflowId(round.roundId));
    const direct = await Promise.allSettled(half.map((unitId) => handle.executeUpdate(submitReportUpdate, { args: [{ unitId, submittedBy: 'test', reference: `direct:${unitId}` }] })));
    const refused = direct.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason?.message ?? r));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((m) => /concurrent in-flight updates|RESOURCE_EXHAUSTED/i.test(m))).toBe(true);

    // Through the gateway: every one gets its receipt, after retries.
    const receipts = await Promise.all(rest.map((unitId) => gateway.submitReport(round.roundId, { unitId, submittedBy: 'test', reference: `gateway:${unitId}` }, Date.now())));
    expect(receipts.map((r) => r.unitId).sort()).toEqual([...rest].sort());
    expect(receipts.every((r) => r.version === 1 && r.onTime)).toBe(true);
    expect(busy.length).toBeGreaterThan(0);
    const submitted = await world.db.obligation.count({ where: { roundId: round.roundId, unitId: { in: rest }, status: 'submitted' } });
    expect(submitted).toBe(rest.length);
  }, 300_000);
});
