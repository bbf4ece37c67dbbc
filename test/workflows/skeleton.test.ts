import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { skeletonWorkflow, statusQuery, submitUpdate } from '../../workflows/skeleton';
import { createDevServerEnv, createTestWorker, createTimeSkippingEnv, expectUpdateRejected } from '../helpers/temporal';
import { createWorld, type World } from '../helpers/world';

/**
 * The walking skeleton through every layer, once with time skipped (exact timer instants) and once on a
 * real dev server (real time, e-mail through the SMTP sink, rows in SQLite).
 */
const agencies = (world: World) =>
  world.program.units.slice(0, 2).map((u) => ({ id: u.id, email: u.contact.email }));

describe.each([
  ['time-skipping test server', createTimeSkippingEnv, '1 day'],
  ['dev server', createDevServerEnv, '1 second'],
] as const)('skeleton workflow on the %s', (_name, createEnv, openAfter) => {
  let env: TestWorkflowEnvironment;
  let world: World;

  beforeAll(async () => {
    env = await createEnv();
    world = await createWorld();
  });
  afterAll(async () => {
    await world?.close();
    await env?.teardown();
  });

  it('opens after its timer, records obligations, mails both agencies, takes one submission', async () => {
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const [a, b] = agencies(world);
    const roundId = `skeleton-${Date.now()}`;
    await worker.runUntil(async () => {
      const startedAt = Date.now();
      const handle = await env.client.workflow.start(skeletonWorkflow, {
        taskQueue,
        workflowId: roundId,
        args: [{ programId: world.program.id, roundId, agencies: [a!, b!], openAfter, closeAfter: '30 days' }],
      });
      // Before the timer fires, the round is waiting and refuses submissions.
      expect((await handle.query(statusQuery)).phase).toBe('waiting');
      await expectUpdateRejected(handle.executeUpdate(submitUpdate, { args: [{ agencyId: a!.id }] }), /is waiting, not open/);

      // Let the timer fire: on the test server env.sleep skips workflow time, on the dev server it waits.
      await env.sleep(openAfter);
      let status = await handle.query(statusQuery);
      while (status.phase !== 'open') {
        await env.sleep(200);
        status = await handle.query(statusQuery);
      }
      const desc = await handle.describe();
      const timerMs = openAfter === '1 day' ? 86_400_000 : 1_000;
      const openedAt = Date.parse(status.openedAt!);
      expect(openedAt - desc.startTime.getTime()).toBeGreaterThanOrEqual(timerMs);
      expect(openedAt - desc.startTime.getTime()).toBeLessThan(timerMs + 5_000);
      expect(startedAt).toBeLessThanOrEqual(Date.now());
      if (openAfter === '1 day') {
        // With time skipped, the one-day timer is what moved the clock: the round opened at the very
        // instant the timer fired, one day after the timer was started.
        const { events } = await handle.fetchHistory();
        const eventMs = (e: NonNullable<typeof events>[number]) => Number(e!.eventTime!.seconds) * 1000 + Math.floor((e!.eventTime!.nanos ?? 0) / 1e6);
        const started = events!.find((e) => e.timerStartedEventAttributes)!;
        const fired = events!.find((e) => e.timerFiredEventAttributes)!;
        expect(Number(started.timerStartedEventAttributes!.startToFireTimeout!.seconds)).toBe(86_400);
        expect(eventMs(fired) - eventMs(started)).toBeGreaterThanOrEqual(86_400_000);
        expect(eventMs(fired) - eventMs(started)).toBeLessThan(86_400_000 + 1_000);
        // The workflow reads its clock in the task that handles the timer, a moment after it fired.
        expect(openedAt - eventMs(fired)).toBeGreaterThanOrEqual(0);
        expect(openedAt - eventMs(fired)).toBeLessThan(1_000);
      }

      const after = await handle.executeUpdate(submitUpdate, { args: [{ agencyId: a!.id }] });
      expect(after.submitted[a!.id]).not.toBeNull();
      expect(after.submitted[b!.id]).toBeNull();
      await expectUpdateRejected(handle.executeUpdate(submitUpdate, { args: [{ agencyId: 'no-such-unit' }] }), /unknown agency "no-such-unit"/);
      await expectUpdateRejected(handle.executeUpdate(submitUpdate, { args: [{ agencyId: a!.id }] }), /already submitted/);
      await handle.terminate('test done');
    });

    const obligations = await world.db.obligation.findMany({ where: { roundId }, orderBy: { unitId: 'asc' } });
    expect(obligations.map((o) => o.unitId).sort()).toEqual([a!.id, b!.id].sort());
    const mail = (await world.messages()).filter((m) => m.subject.includes(roundId));
    expect(mail.map((m) => m.envelopeTo[0]).sort()).toEqual([a!.email, b!.email].sort());
    expect(mail[0]!.messageId).toMatch(new RegExp(`^<${roundId}\\.`));
  });
});
