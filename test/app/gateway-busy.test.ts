import { WorkflowGateway } from '../../app/workflow-gateway';
import { startAdhocRound } from '../../app/adhoc';
import { systemClock } from '../../app/context';
import { DateTime } from 'luxon';
import { useCliBed } from '../helpers/cli-bed';
import { decodePayloads, eventTypeName, timestampMs } from '../../client/audit/history';
import { roundShardWorkflow } from '../../workflows';
import { roundShardWorkflowId } from '../../workflows/ids';
import type { ShardInput } from '../../domain/round/schema';

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

  /**
   * A shard's first workflow task comes a moment after its start (the server schedules it in a step of its
   * own), and an Update in between turns it into a speculative task that times out after 5 s when the worker
   * is busy, as it is while a large round opens. The gateway waits until the task is scheduled. Here a
   * shard whose first task is held back 3 s (a start delay) stands for that moment, made long.
   */
  it('sends nothing to a shard before its first workflow task is scheduled', async () => {
    const { env, world, taskQueue } = bed();
    const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue });
    const c = { db: world.db, gateway, clock: systemClock };
    const deadline = DateTime.now().setZone('Asia/Ho_Chi_Minh').plus({ days: 20 }).toFormat('yyyy-MM-dd');
    const units = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const lateShardUnit = units[units.length - 1]!;
    const round = await startAdhocRound(c, { program: world.program, title: 'Báo cáo chờ phân đoạn', deadline, units: { unitIds: units.slice(0, -1) }, by: 'test' });
    let first: Awaited<ReturnType<typeof world.db.obligation.findFirst>> = null;
    for (let i = 0; i < 100 && !(first = await world.db.obligation.findFirst({ where: { roundId: round.roundId } })); i++) await new Promise((r) => setTimeout(r, 100));
    const shard1 = env.client.workflow.getHandle(roundShardWorkflowId(round.roundId, 1));
    for (let i = 0; i < 100 && (await shard1.describe().catch(() => null)) === null; i++) await new Promise((r) => setTimeout(r, 100));
    const shardInput = decodePayloads((await shard1.fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!.input)[0] as ShardInput;

    // Shard 2 holds one unit; its workflow starts now, its first task 3 s later.
    const { id: _id, ...row } = first!;
    await world.db.obligation.create({ data: { ...row, unitId: lateShardUnit, shard: 2, status: 'pending', submittedAt: null, lateByMs: null } });
    const shard2Id = roundShardWorkflowId(round.roundId, 2);
    const startedAt = Date.now();
    await env.client.workflow.start(roundShardWorkflow, { taskQueue, workflowId: shard2Id, args: [{ ...shardInput, shard: 2 }], startDelay: '3 seconds' });
    const receipt = await gateway.submitReport(round.roundId, { unitId: lateShardUnit, submittedBy: 'test', reference: 'gateway:first-task' }, Date.now());
    expect(receipt).toMatchObject({ unitId: lateShardUnit, version: 1, onTime: true });

    const events = (await env.client.workflow.getHandle(shard2Id).fetchHistory()).events ?? [];
    const firstTask = events.find((e) => e.workflowTaskScheduledEventAttributes)!;
    const accepted = events.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)!;
    // The first task came after its delay, the submission after it, and no task timed out or failed.
    expect(timestampMs(firstTask.eventTime)).toBeGreaterThanOrEqual(startedAt + 2_900);
    expect(Number(accepted.eventId)).toBeGreaterThan(Number(firstTask.eventId));
    expect(events.map(eventTypeName).filter((t) => /WorkflowTask(TimedOut|Failed)/.test(t))).toEqual([]);
  }, 120_000);
});
