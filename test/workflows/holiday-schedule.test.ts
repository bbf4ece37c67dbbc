import { computeYearSchedule } from '../../domain/calendar/schedule';
import { isWorkingDay, localDateOf } from '../../domain/calendar';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { iso } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker } from '../helpers/temporal';

/**
 * Issue #12, item 6, through a real round: the 2017 approval round of the default program (due before
 * 1 February 2017) on the time-skipping server, with the civil service's published schedule (off Thu
 * 26 Jan – Wed 1 Feb 2017). Nobody submits, so every reminder, the overdue notice and both escalations
 * go out; each at its exact instant, each on a working day (the computed calendar put the last
 * reminder on Thu 26 Jan, a day off).
 */
const START = '2017-01-16T09:00:00+07:00';

describe('the 2017 approval round on the published holiday schedule (time skipped)', () => {
  const bed = useTestbed({ startAt: START });

  it('sends its reminders and escalations on working days, at the planned instants', async () => {
    const { env, world } = bed();
    const approval = computeYearSchedule(world.program, 2017).rounds.find((r) => r.roundKey === '2017-approval')!;
    const unitIds = [world.program.approvingAuthority];
    expect(approval.responsible).toBe('approving-authority');
    const input = roundInputFromSchedule(world.outline, approval, { roundId: roundIdOf(world.program.id, '2017-approval-holidays') });
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      return handle.result();
    });

    expect(result.counts).toMatchObject({ missing: unitIds.length });
    const sent = (await outboxOf(world.db, input.roundId)).filter((n) => n.kind !== 'opened' && n.kind !== 'closed');
    expect(sent.map((n) => `${n.kind}:${n.step}@${iso(n.at)}`)).toEqual([
      'reminder:7@2017-01-17T08:00:00+07:00',
      'reminder:3@2017-01-23T08:00:00+07:00',
      'reminder:1@2017-01-25T08:00:00+07:00',
      'overdue:0@2017-02-01T00:00:00+07:00',
      'escalation:1@2017-02-02T08:00:00+07:00',
      'escalation:2@2017-02-06T08:00:00+07:00',
    ]);
    for (const n of sent.filter((x) => x.kind !== 'overdue')) expect(isWorkingDay(localDateOf(n.at, world.program.timeZone), world.program.calendar)).toBe(true);
    // The round closes at its last escalation.
    expect(Date.parse(result.closedAt!) - Date.parse('2017-02-06T08:00:00+07:00')).toBeGreaterThanOrEqual(0);
  });
});
