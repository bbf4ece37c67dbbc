
import { groupsOf, shardsOf } from '../../app/audit';
import { roundShardGroupWorkflowId, roundShardWorkflowId, roundWorkflowId } from '../../workflows/ids';
import { fulfilledByParentSignal, roundStatusQuery, roundWorkflow, shardStatusQuery, submitReportUpdate, extendDeadlineUpdate } from '../../workflows/round';
import { at, iso, skipTo } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { scheduledRoundInput, submitReport } from '../helpers/rounds';
import { useTestbed } from '../helpers/testbed';
import { providers } from '../db/harness';
import { createTestWorker, expectUpdateRejected, waitForWorkflow } from '../helpers/temporal';

/**
 * The Q1 2015 round of the default program (deadline 2015-03-25 00:00 Hà Nội, "before the 25th"), run
 * on the time-skipping server from 2 March 2015. Calendar for that deadline (weekends only, no holiday):
 * reminders Mon 16 Mar, Fri 20 Mar, Tue 24 Mar at 08:00; overdue at the deadline; escalation to the
 * unit head Thu 26 Mar 08:00, to the coordinator and escalation recipients Mon 30 Mar 08:00.
 */
const START = '2015-03-02T09:00:00+07:00';

// The whole scenario runs on SQLite and, when CI provides one, on PostgreSQL.
describe.each(providers)('reporting round (Q1 2015, time skipped) on %s', (provider) => {
  const bed = useTestbed({ startAt: START, provider });

  it('reminds, marks overdue, escalates, takes a late report and closes with on time / late / missing', async () => {
    const { env, world } = bed();
    const [onTime, late, never] = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const { round: q1, input } = scheduledRoundInput(world, 2015, '2015-Q1', [onTime!, late!, never!], 'main');
    expect(q1.deadline).toBe('2015-03-25T00:00:00+07:00');
    expect(q1.reminders.map((r) => r.at)).toEqual(['2015-03-16T08:00:00+07:00', '2015-03-20T08:00:00+07:00', '2015-03-24T08:00:00+07:00']);
    expect(q1.escalations.map((e) => e.at)).toEqual(['2015-03-26T08:00:00+07:00', '2015-03-30T08:00:00+07:00']);

    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, at('2015-03-18T10:00'));
      const receipt = await submitReport(env.client, world.db, input.roundId, { unitId: onTime!, submittedBy: 'clerk@so-tttt', reference: 'files/q1-ontime.pdf' });
      expect(receipt).toMatchObject({ unitId: onTime, version: 1, onTime: true, lateByMs: 0, dueAt: '2015-03-24T17:00:00.000Z' });

      await skipTo(env, at('2015-03-27T12:00'));
      const lateReceipt = await submitReport(env.client, world.db, input.roundId, { unitId: late!, submittedBy: 'clerk@late', reference: 'files/q1-late.pdf', note: 'sorry' });
      expect(lateReceipt.onTime).toBe(false);
      // 2 days 12 hours after the deadline (the clock may have moved a few ms while the update ran).
      expect(lateReceipt.lateByMs).toBeGreaterThanOrEqual(2.5 * 86_400_000);
      expect(lateReceipt.lateByMs).toBeLessThan(2.5 * 86_400_000 + 5_000);
      // The receipt is given once the submission is stored.
      const stored = await world.db.obligation.findUniqueOrThrow({ where: { roundId_unitId: { roundId: input.roundId, unitId: late! } } });
      expect(stored.status).toBe('late');
      return handle.result();
    });

    expect(result).toMatchObject({ phase: 'closed', unitCount: 3, shards: 1, shardsClosed: 1 });
    expect(result.counts).toMatchObject({ submitted: 1, late: 1, missing: 1 });
    expect(result.completionRate).toBeCloseTo(2 / 3);
    expect(result.timelinessRate).toBeCloseTo(1 / 3);
    // The round closes at its cut-off: the last escalation instant (the clock runs on a few ms meanwhile).
    expect(Date.parse(result.closedAt!) - at('2015-03-30T08:00')).toBeGreaterThanOrEqual(0);
    expect(Date.parse(result.closedAt!) - at('2015-03-30T08:00')).toBeLessThan(2_000);

    const sent = await outboxOf(world.db, input.roundId);
    // The opening notice belongs to the round's start (START, a few seconds later on a busy machine);
    // every other one to its planned instant.
    const forUnit = (unitId: string) =>
      sent.filter((n) => n.unitId === unitId).map((n) => (n.kind === 'opened' && n.at - at('2015-03-02T09:00') < 60_000 ? 'opened@start' : `${n.kind}:${n.step}@${iso(n.at)}`));
    expect(forUnit(onTime!)).toEqual(['opened@start', 'reminder:7@2015-03-16T08:00:00+07:00', expect.stringMatching(/^receipt:1@2015-03-18T10:00/)]);
    const missed = [
      'opened@start',
      'reminder:7@2015-03-16T08:00:00+07:00',
      'reminder:3@2015-03-20T08:00:00+07:00',
      'reminder:1@2015-03-24T08:00:00+07:00',
      'overdue:0@2015-03-25T00:00:00+07:00',
      'escalation:1@2015-03-26T08:00:00+07:00',
    ];
    expect(forUnit(late!)).toEqual([...missed, expect.stringMatching(/^late-receipt:1@2015-03-27T12:00/)]);
    expect(forUnit(never!)).toEqual(missed);
    // Step 2 goes once to the coordinator and the escalation recipients, listing the one unit still missing.
    const above = sent.filter((n) => n.unitId === null && n.kind === 'escalation');
    expect(above.map((n) => `${n.step}@${iso(n.at)}`)).toEqual(['2@2015-03-30T08:00:00+07:00']);
    const coordinator = world.program.units.find((u) => u.id === world.program.coordinator)!;
    expect(above[0]!.to).toContain(coordinator.contact.email);
    const digest = await world.db.notification.findFirstOrThrow({ where: { roundId: input.roundId, kind: 'escalation', unitId: null } });
    const neverName = world.program.units.find((u) => u.id === never)!.name.vi;
    const lateName = world.program.units.find((u) => u.id === late)!.name.vi;
    expect(digest.bodyText).toContain(neverName);
    expect(digest.bodyText).not.toContain(`- ${lateName}:`);
    expect(sent.filter((n) => n.kind === 'closed')).toHaveLength(1);

    const obligations = await world.db.obligation.findMany({ where: { roundId: input.roundId } });
    const statusOf = Object.fromEntries(obligations.map((o) => [o.unitId, o.status]));
    expect(statusOf).toEqual({ [onTime!]: 'submitted', [late!]: 'late', [never!]: 'missing' });
    const round = await world.db.round.findUniqueOrThrow({ where: { id: input.roundId } });
    expect(round).toMatchObject({ status: 'closed', unitCount: 3, shardCount: 1, programVersion: world.programRef.version });
  });
});

// Each test has a server of its own: once a round has closed, the time-skipping server's clock may run far
// ahead (nothing is left to wait for), so a later test could not open a round in 2015 any more.
describe('reporting round: arrival instants', () => {
  const bed = useTestbed({ startAt: START });

  it('takes the arrival instant a client stamped, so a burst at the deadline does not make a unit late', async () => {
    const { env, world } = bed();
    const units = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const { input } = scheduledRoundInput(world, 2015, '2015-Q1', units.slice(0, 2), 'arrival');
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, at('2015-03-25T00:00') + 5_000);
      // Arrived 1 ms before the deadline instant, taken by the workflow 5 s after it: on time.
      const onTime = await submitReport(env.client, world.db, input.roundId, { unitId: units[0]!, submittedBy: 'x', reference: 'r', receivedAt: new Date(at('2015-03-25T00:00') - 1).toISOString() });
      expect(onTime).toMatchObject({ onTime: true, lateByMs: 0, submittedAt: new Date(at('2015-03-25T00:00') - 1).toISOString() });
      // Arrived at the deadline instant itself: late, by 0 ms (domain/round/lateness.ts).
      const atDeadline = await submitReport(env.client, world.db, input.roundId, { unitId: units[1]!, submittedBy: 'x', reference: 'r', receivedAt: new Date(at('2015-03-25T00:00')).toISOString() });
      expect(atDeadline).toMatchObject({ onTime: false, lateByMs: 0 });
      const rows = await world.db.obligation.findMany({ where: { roundId: input.roundId }, orderBy: { id: 'asc' } });
      expect(rows.map((r) => [r.status, Number(r.lateByMs)])).toEqual([
        ['submitted', 0],
        ['late', 0],
      ]);
      // Every unit has submitted: the round closes now. (Each test ends its workflows: the time-skipping
      // server does not skip time while a workflow that no worker serves any more has a task pending.)
      expect((await handle.result()).counts).toMatchObject({ submitted: 1, late: 1 });
    });
  });
});

describe('reporting round: invalid updates', () => {
  const bed = useTestbed({ startAt: START });

  it('rejects every invalid update with its reason and leaves the round unchanged', async () => {
    const { env, world } = bed();
    const units = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const { input } = scheduledRoundInput(world, 2015, '2015-Q2', units.slice(0, 2), 'invalid');
    const outsider = units[5]!;
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      const shard = await waitForWorkflow(env, roundShardWorkflowId(input.roundId, 1));
      let before = await shard.query(shardStatusQuery);
      while (before.phase !== 'open') before = await new Promise((r) => setTimeout(r, 100)).then(() => shard.query(shardStatusQuery));
      const submit = (payload: unknown) => shard.executeUpdate(submitReportUpdate, { args: [payload as never] });
      await expectUpdateRejected(submit({ unitId: 'so-xyz', submittedBy: 'x', reference: 'r' }), /unit "so-xyz" is not in round/);
      await expect(submitReport(env.client, world.db, input.roundId, { unitId: outsider, submittedBy: 'x', reference: 'r' })).rejects.toThrow(
        `the submission was refused: unit "${outsider}" is not in round ${input.roundId}`,
      );
      await expectUpdateRejected(submit({ unitId: units[0], reference: 'r' }), /malformed payload: submittedBy/);
      await expectUpdateRejected(submit({ unitId: units[0], submittedBy: 'x', reference: 'r', amountVnd: '12,5' }), /amountVnd must be a whole number/);
      const now = await env.currentTimeMs();
      await expectUpdateRejected(submit({ unitId: units[0], submittedBy: 'x', reference: 'r', receivedAt: new Date(now + 3_600_000).toISOString() }), /lies ahead of the round's clock/);
      await expectUpdateRejected(submit({ unitId: units[0], submittedBy: 'x', reference: 'r', receivedAt: new Date(now - 3_600_000).toISOString() }), /more than 15 minutes ago/);
      const extend = (payload: unknown) => shard.executeUpdate(extendDeadlineUpdate, { args: [payload as never] });
      await expectUpdateRejected(
        extend({ unitId: units[0], until: new Date(now - 86_400_000).toISOString(), reason: 'too late', grantedBy: 'coord' }),
        /cannot extend into the past/,
      );
      await expectUpdateRejected(extend({ unitId: units[0], until: 'next week', reason: 'x', grantedBy: 'coord' }), /malformed payload: until/);
      const after = await shard.query(shardStatusQuery);
      expect(after).toEqual(before);
      expect((await shard.describe()).status.name).toBe('RUNNING');
      expect(await world.db.submission.count({ where: { obligation: { roundId: input.roundId } } })).toBe(0);

      // A closed round refuses submissions: let it run to its cut-off, then try.
      await handle.result();
      await expectUpdateRejected(submit({ unitId: units[0], submittedBy: 'x', reference: 'r' }), /closed|completed|not found/i);
    });
  });
});

describe('reporting round: shards', () => {
  const bed = useTestbed({ startAt: START });

  it('cuts its units into shards; each unit is reached through the shard that holds it', async () => {
    const { env, world } = bed();
    const units = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const { input } = scheduledRoundInput(world, 2015, '2015-Q3', units, 'shards');
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [{ ...input, shardSize: 10 }] });
      const shards = Math.ceil(units.length / 10);
      const last = await waitForWorkflow(env, roundShardWorkflowId(input.roundId, shards));
      expect(await handle.query(roundStatusQuery)).toMatchObject({ phase: 'open', unitCount: units.length, shards });
      // Units are dealt round-robin: unit 1 (0-based) is the first of shard 2, unit 1 + shards the next.
      const rows = await world.db.obligation.findMany({ where: { roundId: input.roundId }, orderBy: { id: 'asc' } });
      expect(rows.map((r) => r.shard)).toEqual(units.map((_, i) => (i % shards) + 1));
      const receipt = await submitReport(env.client, world.db, input.roundId, { unitId: units[1]!, submittedBy: 'clerk', reference: 'r' });
      expect(receipt.version).toBe(1);
      const second = await env.client.workflow.getHandle(roundShardWorkflowId(input.roundId, 2)).query(shardStatusQuery);
      expect(second.units.map((u) => u.unitId)).toEqual(units.filter((_, i) => i % shards === 1));
      expect(second.counts.submitted).toBe(1);
      // Shard 1 does not hold that unit and says so.
      await expectUpdateRejected(
        env.client.workflow.getHandle(roundShardWorkflowId(input.roundId, 1)).executeUpdate(submitReportUpdate, { args: [{ unitId: units[1]!, submittedBy: 'x', reference: 'r' }] }),
        new RegExp(`unit "${units[1]}" is not in round .* \\(shard 1\\)`),
      );
      expect((await last.query(shardStatusQuery)).units).toHaveLength(units.filter((_, i) => i % shards === shards - 1).length);
      // Run to the cut-off (terminating a parent leaves the time-skipping server's lock on its children).
      expect((await handle.result()).counts).toMatchObject({ submitted: 1, missing: units.length - 1 });
    });
  });
});

describe('reporting round: groups of shards', () => {
  const bed = useTestbed({ startAt: START });

  it('a round of more shards than its group size awaits groups of them; units, fulfilments and extensions still reach their shard', async () => {
    const { env, world } = bed();
    const units = world.program.units.filter((u) => u.reports).slice(0, 7).map((u) => u.id);
    const { input } = scheduledRoundInput(world, 2015, '2015-Q1', units, 'groups');
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const roundId = roundWorkflowId(input.roundId);
    await worker.runUntil(async () => {
      // One unit per shard, three shards per group: 7 shards in groups of 3, 3 and 1.
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundId, args: [{ ...input, shardSize: 1, shardGroupSize: 3 }] });
      await waitForWorkflow(env, roundShardWorkflowId(input.roundId, 7));
      expect(await handle.query(roundStatusQuery)).toMatchObject({ phase: 'open', unitCount: 7, shards: 7, shardsClosed: 0 });
      await skipTo(env, at('2015-03-18T10:00'));
      // Unit 7 is in shard 7, the only shard of group 3: the gateway reaches it directly.
      const receipt = await submitReport(env.client, world.db, input.roundId, { unitId: units[6]!, submittedBy: 'clerk@seven', reference: 'files/seven.pdf' });
      expect(receipt).toMatchObject({ unitId: units[6], version: 1, onTime: true });
      // A fulfilment sent to the round reaches unit 5's shard through group 2.
      await handle.signal(fulfilledByParentSignal, { unitId: units[4]!, reference: 'files/parent.pdf', by: 'coordinator@so-tttt' });
      // An extension for unit 2 (group 1) moves the round's digest for that unit to the new deadline.
      await env.client.workflow.getHandle(roundShardWorkflowId(input.roundId, 2)).executeUpdate(extendDeadlineUpdate, {
        args: [{ unitId: units[1]!, until: '2015-04-01T00:00:00+07:00', reason: 'tổng hợp số liệu', grantedBy: 'coordinator@so-tttt' }],
      });
      const result = await handle.result();
      expect(result).toMatchObject({ phase: 'closed', unitCount: 7, shards: 7, shardsClosed: 7 });
      expect(result.counts).toMatchObject({ submitted: 2, missing: 5 });
      // The round's children are the three groups; each group's, its shards.
      const childrenOf = async (workflowId: string) =>
        ((await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
      const roundHistory = await env.client.workflow.getHandle(roundId).fetchHistory();
      expect((await childrenOf(roundId)).filter((id) => !id.startsWith('report:'))).toEqual([1, 2, 3].map((g) => roundShardGroupWorkflowId(input.roundId, g)));
      expect(await childrenOf(roundShardGroupWorkflowId(input.roundId, 1))).toEqual([1, 2, 3].map((n) => roundShardWorkflowId(input.roundId, n)));
      expect(await childrenOf(roundShardGroupWorkflowId(input.roundId, 3))).toEqual([roundShardWorkflowId(input.roundId, 7)]);
      // The auditor's tools find every shard through the groups' inputs.
      expect(shardsOf(roundHistory)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => roundShardWorkflowId(input.roundId, n)));
      expect(groupsOf(roundHistory)).toEqual([1, 2, 3].map((g) => roundShardGroupWorkflowId(input.roundId, g)));
      const stored = await world.db.obligation.findMany({ where: { roundId: input.roundId }, orderBy: { unitId: 'asc' } });
      expect(stored.filter((o) => o.status === 'submitted').map((o) => o.unitId).sort()).toEqual([units[4]!, units[6]!].sort());
      expect(stored.find((o) => o.unitId === units[1])!.dueAt.toISOString()).toBe('2015-03-31T17:00:00.000Z');
      // The digest to the coordinator went out at each deadline in force: the round's, and the extension's.
      // (Deadline Wed 1 April: its third working day after is Mon 6 April.)
      const digests = (await outboxOf(world.db, input.roundId)).filter((n) => n.kind === 'escalation' && n.unitId === null);
      expect(digests.map((d) => d.at)).toEqual([at('2015-03-30T08:00'), at('2015-04-06T08:00')]);
    });
  });
});

describe('reporting round: what a submission costs in its shard', () => {
  const bed = useTestbed({ startAt: START });

  it('a lone submission adds 11 events: its timer keeps running and its write queues the receipt', async () => {
    const { env, world } = bed();
    const [first, second, third, silent] = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const { input } = scheduledRoundInput(world, 2015, '2015-Q1', [first!, second!, third!, silent!], 'cost');
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const shardId = roundShardWorkflowId(input.roundId, 1);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, at('2015-03-18T10:00'));
      await submitReport(env.client, world.db, input.roundId, { unitId: first!, submittedBy: 'clerk@first', reference: 'files/first.pdf' });
      await skipTo(env, at('2015-03-18T11:00'));
      await submitReport(env.client, world.db, input.roundId, { unitId: second!, submittedBy: 'clerk@second', reference: 'files/second.pdf' });
      await skipTo(env, at('2015-03-18T12:00'));
      await submitReport(env.client, world.db, input.roundId, { unitId: third!, submittedBy: 'clerk@third', reference: 'files/third.pdf' });
      await skipTo(env, at('2015-03-18T13:00'));
      const events = (await env.client.workflow.getHandle(shardId).fetchHistory()).events ?? [];
      // Each submission after the first (which also records the run's patch marker): the task that accepts
      // the Update (3), the Update accepted and completed (2), one recordSubmissions (3) and the task its
      // completion wakes (3). Before 0.2.2: 19, with a timer cancelled and started again and a receipt
      // `notify` with its own task.
      const accepted = events.flatMap((e, i) => (e.workflowExecutionUpdateAcceptedEventAttributes ? [i] : []));
      expect(accepted).toHaveLength(3);
      const tasks = events.flatMap((e, i) => (e.workflowTaskScheduledEventAttributes ? [i] : []));
      const taskBefore = (i: number) => Math.max(...tasks.filter((t) => t < i));
      expect(taskBefore(accepted[2]!) - taskBefore(accepted[1]!)).toBe(11);
      expect(events.filter((e) => e.timerCanceledEventAttributes)).toHaveLength(0);
      const activities = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
      expect(activities.filter((a) => a === 'recordSubmissions')).toHaveLength(3);
      expect(activities.filter((a) => a === 'notify')).toEqual(['notify', 'notify']); // the opening notice and the first reminder
      // The receipts went out once each, from the writes.
      const receipts = (await outboxOf(world.db, input.roundId)).filter((n) => n.kind === 'receipt');
      expect(receipts.map((n) => n.unitId).sort()).toEqual([first!, second!, third!].sort());
      // Run to the cut-off (terminating a parent leaves the time-skipping server's lock on its children).
      expect((await handle.result()).counts).toMatchObject({ submitted: 3, missing: 1 });
    });
  });
});
