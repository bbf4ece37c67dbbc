import { WorkflowGateway } from '../../app/workflow-gateway';
import { startAdhocRound } from '../../app/adhoc';
import { systemClock } from '../../app/context';
import { DateTime } from 'luxon';
import { useCliBed } from '../helpers/cli-bed';

/**
 * Temporal refuses more Updates in flight on one workflow than its limit ("limit on number of
 * concurrent in-flight updates", RESOURCE_EXHAUSTED). Many agencies submitting to one round at the
 * same moment must never see that. On a real dev server whose limit is 1, twelve units of an ad hoc
 * round send two versions each at once through the gateway: each gets its receipt, none an error.
 */
describe('the workflow gateway under many concurrent submissions', () => {
  // One Update in flight per workflow at most: a burst meets the limit for sure; the client's own retries and the gateway's get every Update through.
  const bed = useCliBed({ server: 'dev', devServerArgs: ['--dynamic-config-value', 'history.maxInFlightUpdates=1'] });

  it('retries "busy" answers until every submission has its receipt', async () => {
    const { env, world, taskQueue } = bed();
    const busy: string[] = [];
    const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue, updateTimeoutMs: 120_000, busyRetryMs: 240_000, onBusy: (id) => busy.push(id) });
    const c = { db: world.db, gateway, clock: systemClock };
    const deadline = DateTime.now().setZone('Asia/Ho_Chi_Minh').plus({ days: 20 }).toFormat('yyyy-MM-dd');
    const units = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const round = await startAdhocRound(c, { program: world.program, title: 'Báo cáo đồng loạt', deadline, units: { unitIds: units }, by: 'test' });
    for (let i = 0; i < 100 && (await world.db.obligation.count({ where: { roundId: round.roundId } })) < units.length; i++) await new Promise((r) => setTimeout(r, 100));
    // Twelve units (not the first, so the round stays open) send two versions at once: 24 Updates against a limit of 1.
    const rest = units.slice(1, 13);
    const burst = [...rest, ...rest];
    

    // Through the gateway: every one gets its receipt, after retries.
    const receipts = await Promise.all(burst.map((unitId) => gateway.submitReport(round.roundId, { unitId, submittedBy: 'test', reference: `gateway:${unitId}` }, Date.now())));
    expect(receipts.map((r) => `${r.unitId} v${r.version}`).sort()).toEqual(rest.flatMap((u) => [`${u} v1`, `${u} v2`]).sort());
    expect(receipts.every((r) => r.onTime)).toBe(true);
    // The client connection retries RESOURCE_EXHAUSTED itself for a while; how many answers outlast it (and reach the
    // gateway's own retries) depends on the machine's speed, so the count is reported, not asserted.
    process.stdout.write(`gateway retried ${busy.length} busy answer(s) for ${burst.length} concurrent submissions\n`);
    const submitted = await world.db.obligation.count({ where: { roundId: round.roundId, unitId: { in: rest }, status: 'submitted' } });
    expect(submitted).toBe(rest.length);
  }, 300_000);
});
