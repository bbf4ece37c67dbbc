import { renderMail, templateFor } from '../../activities/mail/render';
import { loadMailTemplates } from '../../activities/mail/templates';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { roundStatusQuery, roundWorkflow, submitReportUpdate } from '../../workflows/round';
import { getObligation } from '../../infra/db/round-repository';
import { iso, skipTo } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker } from '../helpers/temporal';

/**
 * Issue #12, item 2, through a real round on the time-skipping server: Q1 2015 is due at
 * 2015-03-25T00:00:00+07:00. The server's clock is skipped to exactly that instant before the report is
 * sent; the workflow stamps the report with its own clock, which the Java test server lets run on in
 * real time for the few ms the Update takes (SelfAdvancingTimerImpl advances while time skipping is
 * locked), so the receipt's instant is the deadline plus those ms. The 0 ms case itself is asserted
 * on the round state in test/unit/lateness.test.ts; here the point is that the receipt, the query, the
 * stored obligation, the outbox and the mail all give the one verdict for the same instant.
 */
const START = '2015-03-24T20:00:00+07:00';
const DUE_ISO = '2015-03-25T00:00:00+07:00';
const DUE = Date.parse(DUE_ISO);

describe('a report at the deadline instant, through a round on the time-skipping server', () => {
  const bed = useTestbed({ startAt: START });

  it('one a second before is on time; one at the instant is late, everywhere the same', async () => {
    const { env, world } = bed();
    const [early, atDeadline] = world.program.units.filter((u) => u.reports).map((u) => u.id);
    const q1 = computeYearSchedule(world.program, 2015).rounds.find((r) => r.roundKey === '2015-Q1')!;
    expect(q1.deadline).toBe(DUE_ISO);
    const input = roundInputFromSchedule(world.program, q1, { roundId: roundIdOf(world.program.id, '2015-Q1-boundary'), unitIds: [early!, atDeadline!] });

    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const { before, atInstant, whileOpen, result } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, DUE - 1_000);
      const before = await handle.executeUpdate(submitReportUpdate, { args: [{ unitId: early!, submittedBy: 'clerk@early', reference: 'files/early.pdf' }] });
      await skipTo(env, DUE);
      const atInstant = await handle.executeUpdate(submitReportUpdate, { args: [{ unitId: atDeadline!, submittedBy: 'clerk@deadline', reference: 'files/at-deadline.pdf' }] });
      const whileOpen = await handle.query(roundStatusQuery);
      return { before, atInstant, whileOpen, result: await handle.result() };
    });

    // A second before: on time.
    expect(Date.parse(before.submittedAt)).toBeLessThan(DUE);
    expect(before).toMatchObject({ unitId: early, version: 1, onTime: true, lateByMs: 0 });

    // At the instant (the server clock was at exactly 00:00:00.000 when the Update was sent): late,
    // by exactly the time between the deadline and the receipt's instant, never counted as on time.
    const atMs = Date.parse(atInstant.submittedAt);
    expect(atMs).toBeGreaterThanOrEqual(DUE);
    expect(atMs - DUE).toBeLessThan(5_000);
    expect(atInstant).toMatchObject({ unitId: atDeadline, version: 1, onTime: false, lateByMs: atMs - DUE });

    const unitView = (s: typeof result) => s.units.map((u) => [u.unitId, u.status, u.lateByMs]);
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
