import { extendDeadline, submitReport } from '../helpers/rounds';
import { adhocRoundInput } from '../../domain/round/adhoc';
import { resolveAudience } from '../../domain/round/audience';
import { roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { shardStatus } from '../helpers/rounds';
import { at, iso, skipTo } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker } from '../helpers/temporal';

/**
 * An ad hoc round started mid-quarter (Mon 11 May 2015) for three district committees, deadline
 * "before Sat 23 May" with reminders 5, 2 and 1 working days ahead; one unit gets an extension to
 * "before Sat 30 May" after its first reminder. Its remaining reminders and escalations move with the new
 * deadline and the reminder already sent is not sent again.
 */
describe('ad hoc round with an extension (time skipped)', () => {
  const bed = useTestbed({ startAt: '2015-05-11T10:00:00+07:00' });

  it('moves the extended unit’s schedule and closes with each unit’s outcome', async () => {
    const { env, world } = bed();
    const resolved = resolveAudience(world.program, { category: 'district' });
    if (!('unitIds' in resolved)) throw new Error(resolved.problem);
    const [extended, prompt, silent] = resolved.unitIds;
    const input = adhocRoundInput(
      world.outline,
      2015,
      '2015-adhoc-test',
      {
        title: 'Báo cáo đột xuất về công tác thông tin đối ngoại dịp 19/5',
        units: { unitIds: [extended!, prompt!, silent!] },
        deadline: '2015-05-23T00:00:00+07:00',
        reminderOffsets: [5, 2, 1],
        startedBy: 'coordinator@so-tttt',
      },
    );
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, at('2015-05-20T10:00'));
      const status = await extendDeadline(env.client, world.db, input.roundId, {
        unitId: extended!,
        until: '2015-05-30T00:00:00+07:00',
        reason: 'Đơn vị đang tổng hợp số liệu lễ hội',
        grantedBy: 'coordinator@so-tttt',
      });
      expect(status).toMatchObject({ unitId: extended, status: 'extended', dueAt: '2015-05-29T17:00:00.000Z' });
      await skipTo(env, at('2015-05-21T12:00'));
      await submitReport(env.client, world.db, input.roundId, { unitId: prompt!, submittedBy: 'clerk', reference: 'r-prompt' });
      await skipTo(env, at('2015-05-29T15:00'));
      const receipt = await submitReport(env.client, world.db, input.roundId, { unitId: extended!, submittedBy: 'clerk', reference: 'r-ext' });
      expect(receipt).toMatchObject({ onTime: true, dueAt: '2015-05-29T17:00:00.000Z' });
      const live = await shardStatus(env, input.roundId);
      expect(live.units.find((u) => u.unitId === silent)!.status).toBe('overdue');
      const result = await handle.result();
      return { result, units: (await shardStatus(env, input.roundId)).units };
    });

    expect(result.result.counts).toMatchObject({ submitted: 2, missing: 1 });
    const outcome = Object.fromEntries(result.units.map((u) => [u.unitId, u.status]));
    expect(outcome).toEqual({ [extended!]: 'submitted', [prompt!]: 'submitted', [silent!]: 'missing' });
    expect(result.units.find((u) => u.unitId === extended)!.extensions).toHaveLength(1);

    const sent = await outboxOf(world.db, input.roundId);
    const forUnit = (unitId: string) =>
      sent
        .filter((n) => n.unitId === unitId && !['adhoc-announced', 'receipt', 'extended'].includes(n.kind))
        .map((n) => `${n.kind}:${n.step}@${iso(n.at)}`);
    expect(forUnit(extended!)).toEqual([
      'reminder:5@2015-05-18T08:00:00+07:00',
      // After the extension: reminder 5 (now due Mon 25 May) was already sent, so only 2 and 1 follow.
      'reminder:2@2015-05-28T08:00:00+07:00',
      'reminder:1@2015-05-29T08:00:00+07:00',
    ]);
    expect(forUnit(prompt!)).toEqual(['reminder:5@2015-05-18T08:00:00+07:00', 'reminder:2@2015-05-21T08:00:00+07:00']);
    expect(forUnit(silent!)).toEqual([
      'reminder:5@2015-05-18T08:00:00+07:00',
      'reminder:2@2015-05-21T08:00:00+07:00',
      'reminder:1@2015-05-22T08:00:00+07:00',
      'overdue:0@2015-05-23T00:00:00+07:00',
      'escalation:1@2015-05-25T08:00:00+07:00',
    ]);
    expect(sent.filter((n) => n.kind === 'extended').map((n) => n.unitId)).toEqual([extended]);
    expect(sent.filter((n) => n.kind === 'adhoc-announced')).toHaveLength(3);
    const obligation = await world.db.obligation.findFirstOrThrow({ where: { roundId: input.roundId, unitId: extended! } });
    expect(obligation.dueAt.toISOString()).toBe('2015-05-29T17:00:00.000Z');
  });
});
