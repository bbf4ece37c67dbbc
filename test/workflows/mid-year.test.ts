import { cycleStatusQuery, yearlyCycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId, roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { iso } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker, waitForWorkflow } from '../helpers/temporal';

/**
 * kybao adopted on Mon 22 June 2015, in the middle of the 2015 cycle: the plan, appraisal, approval and
 * Q1 deadlines have passed and are "not tracked" (no round, no reminder, no escalation); the Q2 round
 * (before 25 June) is tracked, but its reminders of 16 and 22 June 08:00 lie before adoption and are
 * never sent: only the 1-day reminder, the overdue notice and the escalations go out.
 */
describe('a cycle started in the middle of its year (time skipped)', () => {
  const bed = useTestbed({ startAt: '2015-06-22T10:00:00+07:00' });

  it('does not track passed deadlines and sends only what is still ahead', async () => {
    const { env, world } = bed();
    const program = world.program;
    const q2 = roundIdOf(program.id, '2015-Q2');
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const status = await worker.runUntil(async () => {
      const cycle = await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(program.id, 2015), args: [{ programRef: world.programRef, year: 2015 }] });
      const round = await waitForWorkflow(env, roundWorkflowId(q2));
      await round.result();
      const status = await cycle.query(cycleStatusQuery);
      await cycle.terminate('the rest of the year is not part of this test');
      return status;
    });

    const state = Object.fromEntries(status.rounds.map((r) => [r.roundId.split(':')[1], r.state]));
    expect(state).toMatchObject({ '2015-plan': 'not-tracked', '2015-appraisal': 'not-tracked', '2015-approval': 'not-tracked', '2015-Q1': 'not-tracked', '2015-Q2': 'closed' });
    expect(await world.db.round.count({ where: { id: { in: ['2015-plan', '2015-Q1'].map((k) => roundIdOf(program.id, k)) } } })).toBe(0);

    const sent = await outboxOf(world.db, q2);
    const someUnit = program.units.find((u) => u.reports)!.id;
    expect(sent.filter((n) => n.unitId === someUnit && n.kind !== 'opened').map((n) => `${n.kind}:${n.step}@${iso(n.at)}`)).toEqual([
      'reminder:1@2015-06-24T08:00:00+07:00',
      'overdue:0@2015-06-25T00:00:00+07:00',
      'escalation:1@2015-06-26T08:00:00+07:00',
    ]);
    expect(sent.filter((n) => n.kind === 'reminder' && n.step !== '1')).toHaveLength(0);
    expect(sent.filter((n) => n.unitId === null && n.kind === 'escalation').map((n) => iso(n.at))).toEqual(['2015-06-30T08:00:00+07:00']);
  }, 300_000);
});
