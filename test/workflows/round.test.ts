import type { Program } from '../../domain/program/schema';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { extendDeadlineUpdate, roundStatusQuery, roundWorkflow, submitReportUpdate } from '../../workflows/round';
import { at, iso, skipTo } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';
import { providers } from '../db/harness';
import { createTestWorker, expectUpdateRejected } from '../helpers/temporal';

/**
 * The Q1 2015 round of the default program (deadline 2015-03-25 00:00 Hà Nội, "before the 25th"), run
 * on the time-skipping server from 2 March 2015. Calendar for that deadline (weekends only, no holiday):
 * reminders Mon 16 Mar, Fri 20 Mar, Tue 24 Mar at 08:00; overdue at the deadline; escalation to the
 * unit head Thu 26 Mar 08:00, to the coordinator and escalation recipients Mon 30 Mar 08:00.
 */
const START = '2015-03-02T09:00:00+07:00';

function q1Input(program: Program, unitIds: string[], suffix: string) {
  const q1 = computeYearSchedule(program, 2015).rounds.find((r) => r.roundKey === '2015-Q1')!;
  return { q1, input: roundInputFromSchedule(program, q1, { roundId: roundIdOf(program.id, `2015-Q1-${suffix}`), unitIds }) };
}

// The whole scenario runs on SQLite and, when CI provides one, on PostgreSQL.
describe.each(providers)('reporting round (Q1 2015, time skipped) on %s', (provider) => {
  const bed = useTestbed({ startAt: START, provider });

  it('reminds, marks overdue, escalates, takes a late report and closes with on time / late / missing', async () => {
    const { env, world } = bed();
    const [onTime, late, never] = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const { q1, input } = q1Input(world.program, [onTime!, late!, never!], 'main');
    expect(q1.deadline).toBe('2015-03-25T00:00:00+07:00');
    expect(q1.reminders.map((r) => r.at)).toEqual(['2015-03-16T08:00:00+07:00', '2015-03-20T08:00:00+07:00', '2015-03-24T08:00:00+07:00']);
    expect(q1.escalations.map((e) => e.at)).toEqual(['2015-03-26T08:00:00+07:00', '2015-03-30T08:00:00+07:00']);

    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, at('2015-03-18T10:00'));
      const receipt = await handle.executeUpdate(submitReportUpdate, {
        args: [{ unitId: onTime!, submittedBy: 'clerk@so-tttt', reference: 'files/q1-ontime.pdf' }],
      });
      expect(receipt).toMatchObject({ unitId: onTime, version: 1, onTime: true, lateByMs: 0 });

      await skipTo(env, at('2015-03-27T12:00'));
      const lateReceipt = await handle.executeUpdate(submitReportUpdate, {
        args: [{ unitId: late!, submittedBy: 'clerk@late', reference: 'files/q1-late.pdf', note: 'sorry' }],
      });
      expect(lateReceipt.onTime).toBe(false);
      // 2 days 12 hours after the deadline (the clock may have moved a few ms while the update ran).
      expect(lateReceipt.lateByMs).toBeGreaterThanOrEqual(2.5 * 86_400_000);
      expect(lateReceipt.lateByMs).toBeLessThan(2.5 * 86_400_000 + 5_000);
      return handle.result();
    });

    expect(result.phase).toBe('closed');
    expect(result.counts).toMatchObject({ submitted: 1, late: 1, missing: 1 });
    expect(result.completionRate).toBeCloseTo(2 / 3);
    expect(result.timelinessRate).toBeCloseTo(1 / 3);
    // The round closes at its cut-off: the last escalation instant.
    // (The clock runs on for a few ms while the closing activities run.)
    expect(Date.parse(result.closedAt!) - at('2015-03-30T08:00')).toBeGreaterThanOrEqual(0);
    expect(Date.parse(result.closedAt!) - at('2015-03-30T08:00')).toBeLessThan(2_000);

    const sent = await outboxOf(world.db, input.roundId);
    // The opening notice goes out when the round starts (a few ms after START); every other one at its planned instant.
    const forUnit = (unitId: string) =>
      sent.filter((n) => n.unitId === unitId).map((n) => (n.kind === 'opened' ? 'opened' : `${n.kind}:${n.step}@${iso(n.at)}`));
    expect(forUnit(onTime!)).toEqual(['opened', 'reminder:7@2015-03-16T08:00:00+07:00', expect.stringMatching(/^receipt:1@2015-03-18T10:00/)]);
    expect(forUnit(late!)).toEqual([
      'opened',
      'reminder:7@2015-03-16T08:00:00+07:00',
      'reminder:3@2015-03-20T08:00:00+07:00',
      'reminder:1@2015-03-24T08:00:00+07:00',
      'overdue:0@2015-03-25T00:00:00+07:00',
      'escalation:1@2015-03-26T08:00:00+07:00',
      expect.stringMatching(/^late-receipt:1@2015-03-27T12:00/),
    ]);
    expect(forUnit(never!)).toEqual([
      'opened',
      'reminder:7@2015-03-16T08:00:00+07:00',
      'reminder:3@2015-03-20T08:00:00+07:00',
      'reminder:1@2015-03-24T08:00:00+07:00',
      'overdue:0@2015-03-25T00:00:00+07:00',
      'escalation:1@2015-03-26T08:00:00+07:00',
    ]);
    // Step 2 goes once to the coordinator and the escalation recipients, listing the one unit still missing.
    const above = sent.filter((n) => n.unitId === null && n.kind === 'escalation');
    expect(above.map((n) => `${n.step}@${iso(n.at)}`)).toEqual(['2@2015-03-30T08:00:00+07:00']);
    const coordinator = world.program.units.find((u) => u.id === world.program.coordinator)!;
    expect(above[0]!.to).toContain(coordinator.contact.email);
    expect(sent.filter((n) => n.kind === 'closed')).toHaveLength(1);

    const obligations = await world.db.obligation.findMany({ where: { roundId: input.roundId } });
    const statusOf = Object.fromEntries(obligations.map((o) => [o.unitId, o.status]));
    expect(statusOf).toEqual({ [onTime!]: 'submitted', [late!]: 'late', [never!]: 'missing' });
    const round = await world.db.round.findUniqueOrThrow({ where: { id: input.roundId } });
    expect(round.status).toBe('closed');
  });
});

describe('reporting round: invalid updates', () => {
  const bed = useTestbed({ startAt: START });

  it('rejects every invalid update with its reason and leaves the round unchanged', async () => {
    const { env, world } = bed();
    const units = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const { input } = q1Input(world.program, units.slice(0, 2), 'invalid');
    const outsider = units[5]!;
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      const before = await handle.query(roundStatusQuery);
      const submit = (payload: unknown) => handle.executeUpdate(submitReportUpdate, { args: [payload as never] });
      await expectUpdateRejected(submit({ unitId: 'so-xyz', submittedBy: 'x', reference: 'r' }), /unknown unit "so-xyz"/);
      await expectUpdateRejected(submit({ unitId: outsider, submittedBy: 'x', reference: 'r' }), new RegExp(`unit "${outsider}" is not in round`));
      await expectUpdateRejected(submit({ unitId: units[0], reference: 'r' }), /malformed payload: submittedBy/);
      await expectUpdateRejected(submit({ unitId: units[0], submittedBy: 'x', reference: 'r', amountVnd: '12,5' }), /amountVnd must be a whole number/);
      const extend = (payload: unknown) => handle.executeUpdate(extendDeadlineUpdate, { args: [payload as never] });
      const now = await env.currentTimeMs();
      await expectUpdateRejected(
        extend({ unitId: units[0], until: new Date(now - 86_400_000).toISOString(), reason: 'too late', grantedBy: 'coord' }),
        /cannot extend into the past/,
      );
      await expectUpdateRejected(extend({ unitId: units[0], until: 'next week', reason: 'x', grantedBy: 'coord' }), /malformed payload: until/);
      const after = await handle.query(roundStatusQuery);
      expect(after).toEqual(before);
      const { status } = await handle.describe();
      expect(status.name).toBe('RUNNING');

      // A closed round refuses submissions: let it run to its cut-off, then try.
      await handle.result();
      await expectUpdateRejected(submit({ unitId: units[0], submittedBy: 'x', reference: 'r' }), /closed|completed|not found/i);
    });
  });
});

