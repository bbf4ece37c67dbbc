import { renderMail, templateFor } from '../../activities/mail/render';
import { loadMailTemplates } from '../../activities/mail/templates';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { scheduledRoundInput, shardStatus } from '../helpers/rounds';
import { getObligation } from '../../infra/db/round-repository';
import { iso, skipTo } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker } from '../helpers/temporal';

/**
 * Issue #12, item 2, through a real round on the time-skipping server: Q1 2015 is due at
 * 2015-03-25T00:00:00+07:00. The clients stamp each report with the instant it arrived (receivedAt, as
 * the web app and the CLI do), which the round marks on time or late: one a second before the deadline,
 * one at exactly 00:00:00.000. The receipt, the shard's status, the stored obligation, the outbox and the
 * mail all give the one verdict for the same instant: late, by 0 ms.
 */
const START = '2015-03-24T20:00:00+07:00';
const DUE_ISO = '2015-03-25T00:00:00+07:00';
const DUE = Date.parse(DUE_ISO);

describe('a report at the deadline instant, through a round on the time-skipping server', () => {
  const bed = useTestbed({ startAt: START });

  it('one a second before is on time; one at the instant is late, everywhere the same', async () => {
    const { env, world } = bed();
    const [early, atDeadline] = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const { round: q1, input } = scheduledRoundInput(world, 2015, '2015-Q1', [early!, atDeadline!], 'boundary');
    expect(q1.deadline).toBe(DUE_ISO);
    const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue: '' });

    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const { before, atInstant, whileOpen, result } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, DUE - 1_000);
      const before = await gateway.submitReport(input.roundId, { unitId: early!, submittedBy: 'clerk@early', reference: 'files/early.pdf' }, DUE - 1_000);
      await skipTo(env, DUE);
      const atInstant = await gateway.submitReport(input.roundId, { unitId: atDeadline!, submittedBy: 'clerk@deadline', reference: 'files/at-deadline.pdf' }, DUE);
      const whileOpen = await shardStatus(env, input.roundId);
      const result = await handle.result();
      return { before, atInstant, whileOpen, result: { ...result, units: (await shardStatus(env, input.roundId)).units } };
    });

    // A second before: on time.
    expect(Date.parse(before.submittedAt)).toBeLessThan(DUE);
    expect(before).toMatchObject({ unitId: early, version: 1, onTime: true, lateByMs: 0 });

    // At the instant itself: late, by 0 ms, never counted as on time.
    const atMs = Date.parse(atInstant.submittedAt);
    expect(atMs).toBe(DUE);
    expect(atInstant).toMatchObject({ unitId: atDeadline, version: 1, onTime: false, lateByMs: 0 });

    const unitView = (s: { units: typeof whileOpen.units }) => s.units.map((u) => [u.unitId, u.status, u.lateByMs]);
    expect(unitView(whileOpen)).toEqual([
      [early, 'submitted', 0],
      [atDeadline, 'late', atMs - DUE],
    ]);
    expect(unitView(result)).toEqual(unitView(whileOpen));
    expect(result.counts).toMatchObject({ submitted: 1, late: 1, missing: 0 });
    expect(result.completionRate).toBe(1);
    expect(result.timelinessRate).toBe(0.5);

    // The database row the activity wrote carries the round's verdict.
    expect(await getObligation(world.db, input.roundId, atDeadline!)).toMatchObject({ status: 'late', lateByMs: atMs - DUE, submittedAt: new Date(atMs).toISOString() });
    expect(await getObligation(world.db, input.roundId, early!)).toMatchObject({ status: 'submitted', lateByMs: 0 });

    // The mail: a plain receipt for the early unit, a late receipt for the other. The deadline timer
    // and the Update reach the workflow in either order, so the overdue notice (planned for the same
    // instant) may or may not have gone out first; when it has, the stored status is still "late" (above).
    const sent = await outboxOf(world.db, input.roundId);
    const kinds = (unitId: string) =>
      sent.filter((n) => n.unitId === unitId && n.kind !== 'opened' && !(n.kind === 'overdue' && iso(n.at) === DUE_ISO)).map((n) => `${n.kind}@${iso(n.at)}`);
    expect(kinds(early!)).toEqual([expect.stringMatching(/^receipt@2015-03-24T23:59:59/)]);
    expect(kinds(atDeadline!)).toEqual([expect.stringMatching(/^late-receipt@2015-03-25T00:00:0/)]);

    // …and what that late receipt says, rendered from the stored facts.
    const templates = loadMailTemplates();
    const unit = world.program.units.find((u) => u.id === atDeadline)!;
    const mail = renderMail(templates, {
      kind: 'late-receipt',
      template: templateFor('late-receipt', 'reporting'),
      step: 1,
      language: 'vi',
      program: world.program,
      round: { id: input.roundId, title: input.title, subject: null, year: 2015, deadline: DUE_ISO },
      at: atInstant.submittedAt,
      link: 'https://kybao.test/r',
      unit,
      audience: { role: 'reporting' },
      obligation: { dueAt: DUE_ISO, status: 'late', submittedAt: atInstant.submittedAt },
      listed: [],
      submission: { version: 1, submittedAt: atInstant.submittedAt, reference: 'files/at-deadline.pdf' },
      extension: null,
      estimate: null,
      estimates: [],
      failures: [],
      compilationReference: null,
    });
    expect(mail.subject).toContain('(nộp muộn)');
    expect(mail.text).toContain('Báo cáo được ghi nhận là nộp muộn.');
  });
});
