import { editCompiledReport, issueCompiledReport, listCompiledReports, recompileCompiledReport, showCompiledReport } from '../../app/compiled-reports';
import { systemClock, type Actor } from '../../app/context';
import { WorkflowGateway } from '../../app/workflow-gateway';
import type { CompiledReportStatus } from '../../domain/compilation/obligation';
import { loadProgram } from '../../infra/db/program-repository';
import { releaseLocksOfAbandonedChildren } from '../../client/simulate/abandoned-children';
import { reportStatusQuery } from '../../workflows/compiled-report';
import { yearlyCycleWorkflow } from '../../workflows/cycle';
import { compiledReportWorkflowId, cycleWorkflowId } from '../../workflows/ids';
import { at, iso, skipTo } from '../helpers/clock';
import { createTestWorker, waitForWorkflow } from '../helpers/temporal';
import { useTestbed } from '../helpers/testbed';

/**
 * The year's report and the sơ kết as the coordinator's obligations, on the time-skipping server. The
 * 2017 cycle of the default program, started on Tue 26 December 2017 after every deadline of its year,
 * tracks no round and goes straight to its compilation: the year 2017 and the preliminary review
 * 2014–2017 (reviews.preliminaryYears: [2017]), each then started as a report workflow of its own
 * (patched 'start-year-and-review-report-obligations').
 *
 * Due (domain/compilation/obligation.ts, periodReportDueAt), counted from Sun 31 Dec 2017; Mon 1 Jan
 * 2018 is New Year's Day:
 * - the year, compilation.yearReport.issueWithinWorkingDays 10: 2, 3, 4, 5, 8, 9, 10, 11, 12, 15 Jan;
 *   due before Tue 16 Jan: 2018-01-16T00:00:00+07:00. Reminders 7, 3, 1 working days before that day at
 *   08:00: Fri 5, Thu 11, Mon 15 Jan; overdue at the due instant; escalations 1 and 3 working days after,
 *   08:00: Wed 17 Jan (the coordinator's head), Fri 19 Jan (the coordinator and the UBND office);
 * - the review, reviewReport.issueWithinWorkingDays 20: … 22–26, 29 Jan; due 2018-01-30T00:00:00+07:00;
 *   its first reminder 7 working days before Tue 30 Jan: Fri 19 Jan 08:00.
 */
const START = '2017-12-26T09:00:00+07:00';
const coordinator: Actor = { id: 'chanh-van-phong@so-tttt.test', role: 'coordinator' };

describe('the year’s and the review’s compiled reports as obligations (2017, time skipped)', () => {
  const bed = useTestbed({ startAt: START });

  it('the cycle starts both; they remind and escalate, recompile over their period, and one of two concurrent issuers issues', async () => {
    const { env, world } = bed();
    const P = world.program.id;
    const yearId = `${P}:year-2017`;
    const reviewId = `${P}:preliminary-review-2014-2017`;
    const recompiled: unknown[] = [];
    // The issue activity waits 1.5 s before writing, so that the second issuer arrives while the first is handled.
    const activities = {
      ...world.activities,
      issueCompiledReportDraft: async (req: Parameters<typeof world.activities.issueCompiledReportDraft>[0]) => {
        await new Promise((r) => setTimeout(r, 1500));
        return world.activities.issueCompiledReportDraft(req);
      },
      compileYearReport: async (req: Parameters<typeof world.activities.compileYearReport>[0]) => {
        recompiled.push({ year: req });
        return world.activities.compileYearReport(req);
      },
      compileReviewReport: async (req: Parameters<typeof world.activities.compileReviewReport>[0]) => {
        recompiled.push({ review: req });
        return world.activities.compileReviewReport(req);
      },
    };
    const { worker, taskQueue } = await createTestWorker(env, activities);
    const c = { db: world.db, gateway: new WorkflowGateway(env.client, { db: world.db, taskQueue }), clock: systemClock };

    await worker.runUntil(async () => {
      await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(P, 2017), args: [{ programRef: world.programRef, year: 2017 }] });
      // (Not the cycle's result(): waiting on a result lets the test server skip time on, into the reports' reminders.)
      const flowYear = await waitForWorkflow(env, compiledReportWorkflowId(yearId));
      const flowReview = await waitForWorkflow(env, compiledReportWorkflowId(reviewId));
      // Both outlive the cycle that started them (client/simulate/abandoned-children.ts says why this matters).
      const abandoned = releaseLocksOfAbandonedChildren(env, [flowYear.workflowId, flowReview.workflowId]);
      const cycle = env.client.workflow.getHandle(cycleWorkflowId(P, 2017));
      for (let i = 0; (await cycle.describe()).status.name === 'RUNNING'; i++) {
        if (i > 300) throw new Error('the 2017 cycle did not end');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await cycle.describe()).status.name).toBe('COMPLETED');
      // Started with their period, not a round.
      expect((await flowYear.describe()).raw.workflowExecutionInfo?.parentExecution?.workflowId).toBe(cycleWorkflowId(P, 2017));
      await expect(flowYear.query(reportStatusQuery)).resolves.toMatchObject({ roundId: null, phase: 'draft', dueAt: '2018-01-16T00:00:00+07:00', revision: 1, notices: [] });
      await expect(flowReview.query(reportStatusQuery)).resolves.toMatchObject({ roundId: null, phase: 'draft', dueAt: '2018-01-30T00:00:00+07:00', notices: [] });

      // A later program version with another rule does not move the due instants the obligations were started with.
      await loadProgram(world.db, { ...world.program, compilation: { ...world.program.compilation!, yearReport: { issueWithinWorkingDays: 3 } } }, { actor: 'test' });
      const listed = await listCompiledReports(c, { actor: coordinator, programId: P, year: 2017 });
      expect(listed.map((r) => [r.id, r.scope, r.status, r.dueAt])).toEqual([
        [reviewId, 'review', 'draft', '2018-01-30T00:00:00+07:00'],
        [yearId, 'year', 'draft', '2018-01-16T00:00:00+07:00'],
      ]);

      // Edited (NFD in, NFC stored) and recompiled over its year, like a round's report.
      const edited = await editCompiledReport(c, { actor: coordinator, id: yearId, conclusions: 'Kết luận năm 2017.'.normalize('NFD') });
      expect(edited).toMatchObject({ status: 'draft', conclusions: 'Kết luận năm 2017.'.normalize('NFC'), workflow: { running: true, busy: null } });
      recompiled.length = 0;
      await recompileCompiledReport(c, { actor: coordinator, id: yearId });
      await recompileCompiledReport(c, { actor: coordinator, id: reviewId });
      expect(recompiled).toEqual([
        { year: { programId: P, year: 2017, compiledAt: expect.stringMatching(/^2017-12-26T02:/) } },
        { review: { programId: P, review: 'preliminary', fromYear: 2014, toYear: 2017, compiledAt: expect.stringMatching(/^2017-12-26T02:/) } },
      ]);

      // Not issued until 22 January: the year's report got every notice at its instant, the review its first reminder.
      await skipTo(env, at('2018-01-22T09:00'));
      const notices = async (h: typeof flowYear) => ((await h.query(reportStatusQuery)) as CompiledReportStatus).notices.map((n) => `${n.kind}:${n.step}@${n.at}`);
      expect(await notices(flowYear)).toEqual([
        'reminder:7@2018-01-05T08:00:00+07:00',
        'reminder:3@2018-01-11T08:00:00+07:00',
        'reminder:1@2018-01-15T08:00:00+07:00',
        'overdue:0@2018-01-16T00:00:00+07:00',
        'escalation:1@2018-01-17T08:00:00+07:00',
        'escalation:2@2018-01-19T08:00:00+07:00',
      ]);
      expect(await notices(flowReview)).toEqual(['reminder:7@2018-01-19T08:00:00+07:00']);

      // Two coordinators issue the year's report at once: exactly one does, the other is told why not.
      const signer = { title: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: 'Trần Thị B' };
      const first = issueCompiledReport(c, { actor: coordinator, id: yearId, number: 3, signer, issuedAt: '2018-01-22T08:30:00+07:00' });
      const second = issueCompiledReport(c, { actor: { ...coordinator, id: 'pho-giam-doc@so-tttt.test' }, id: yearId, number: 4, signer, issuedAt: '2018-01-22T08:30:00+07:00' });
      const [r1, r2] = await Promise.allSettled([first, second]);
      expect([r1.status, r2.status].sort()).toEqual(['fulfilled', 'rejected']);
      const winner = (r1.status === 'fulfilled' ? r1 : r2) as PromiseFulfilledResult<Awaited<typeof first>>;
      const loser = (r1.status === 'rejected' ? r1 : r2) as PromiseRejectedResult;
      expect(loser.reason).toMatchObject({ code: 'refused', message: `the issue was refused: report ${yearId} is being issued right now; it cannot be issued meanwhile` });
      const numberYear = winner.value.number!;
      expect([3, 4]).toContain(numberYear);
      expect(winner.value).toMatchObject({ status: 'issued', issuedAt: '2018-01-22T08:30:00+07:00', documentNumber: `0${numberYear}/BC-STTTT`, signer });
      const doneYear = (await flowYear.result()) as CompiledReportStatus;
      expect(doneYear).toMatchObject({ phase: 'completed', number: numberYear, documents: { docx: expect.stringMatching(/compiled\/year-2017\.so-0[34]\.docx$/) } });

      // The review is issued without an issue time: the workflow's clock, to the second, +07:00.
      const review = await issueCompiledReport(c, { actor: coordinator, id: reviewId, number: 5, signer });
      expect(review.issuedAt).toMatch(/^2018-01-22T09:0\d:\d\d\+07:00$/);
      const stored = await world.db.compiledReport.findUniqueOrThrow({ where: { id: reviewId } });
      expect(stored.issuedAt!.getUTCMilliseconds()).toBe(0);
      expect(iso(stored.issuedAt!.getTime())).toBe(review.issuedAt);
      await expect(flowReview.result()).resolves.toMatchObject({ phase: 'completed', number: 5 });
      expect((await showCompiledReport(c, { actor: coordinator, id: reviewId })).workflow).toMatchObject({ running: false, notices: expect.arrayContaining([expect.objectContaining({ kind: 'issued', step: 5 })]) });
      await abandoned.stop();
    });

    // The outbox: each mail once, at its planned instant, to the roles the program names; no round, no unit.
    const coordinatorUnit = world.program.units.find((u) => u.id === world.program.coordinator)!;
    const contact = coordinatorUnit.contact.email;
    const mails = async (id: string) =>
      (await world.db.notification.findMany({ where: { idempotencyKey: { startsWith: `report:${id}|` } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map((n) => ({
        row: [n.kind, n.step, iso(n.createdAt.getTime()), (JSON.parse(n.recipients) as Array<{ email: string }>).map((r) => r.email)],
        roundId: n.roundId,
        unitId: n.unitId,
        subject: n.subject,
      }));
    const sentYear = await mails(yearId);
    expect(sentYear.map((m) => m.row)).toEqual([
      ['report-reminder', '7', '2018-01-05T08:00:00+07:00', [contact]],
      ['report-reminder', '3', '2018-01-11T08:00:00+07:00', [contact]],
      ['report-reminder', '1', '2018-01-15T08:00:00+07:00', [contact]],
      ['report-overdue', '0', '2018-01-16T00:00:00+07:00', [contact]],
      ['report-escalation', '1', '2018-01-17T08:00:00+07:00', [coordinatorUnit.head.email]],
      ['report-escalation', '2', '2018-01-19T08:00:00+07:00', [contact, 'contact.van-phong-ubnd@thaibinh.example']],
      ['report-issued', expect.stringMatching(/^[34]$/), '2018-01-22T08:30:00+07:00', [contact, 'contact.ubnd-tinh@thaibinh.example', 'contact.bo-tttt@mic.example', 'contact.ban-tuyen-giao@thaibinh.example']],
    ]);
    expect(sentYear.every((m) => m.roundId === null && m.unitId === null)).toBe(true);
    expect(sentYear[0]!.subject).toContain('(hạn cuối: thứ Hai 15/1/2018)');
    expect((await mails(reviewId)).map((m) => m.row.slice(0, 3))).toEqual([
      ['report-reminder', '7', '2018-01-19T08:00:00+07:00'],
      ['report-issued', '5', expect.stringMatching(/^2018-01-22T09:0\d:\d\d\+07:00$/)],
    ]);
  }, 120_000);
});
