import { existsSync } from 'node:fs';
import path from 'node:path';
import { editCompiledReport, issueCompiledReport, listCompiledReports, showCompiledReport } from '../../app/compiled-reports';
import { systemClock, type Actor } from '../../app/context';
import type { CompiledReportStatus } from '../../domain/compilation/obligation';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { REPO_ROOT } from '../../infra/db/database-url';
import { compiledReportWorkflowId, roundWorkflowId } from '../../workflows/ids';
import { reportStatusQuery } from '../../workflows/compiled-report';
import { roundWorkflow } from '../../workflows/round';
import { releaseLocksOfAbandonedChildren } from '../../client/simulate/abandoned-children';
import { at, iso, skipTo } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { scheduledRoundInput } from '../helpers/rounds';
import { createTestWorker, waitForWorkflow } from '../helpers/temporal';
import { useTestbed } from '../helpers/testbed';

/**
 * A round's compiled report as the coordinator's obligation, on the time-skipping server: two Q1 2015
 * rounds of the default program (deadline 2015-03-25T00:00+07:00, "before the 25th") close at their last
 * escalation, Mon 30 Mar 08:00, each starting its report's workflow.
 *
 * Due: 10 working days (compilation.issueWithinWorkingDays) after the deadline's day, Wed 25 Mar, are
 * 26, 27, 30, 31 Mar, 1, 2, 3, 6, 7, 8 Apr (no holiday: Hùng Kings' Day 2015 is 28 Apr), so the report is
 * due before 9 Apr: 2015-04-09T00:00:00+07:00. The program's reminders, 7, 3 and 1 working days before
 * that day, at 08:00: Tue 31 Mar, Mon 6 Apr, Wed 8 Apr; overdue at the due instant; escalations 1 and 3
 * working days after 9 Apr, at 08:00: Fri 10 Apr (the coordinator's head), Tue 14 Apr (the coordinator and
 * the UBND office).
 *
 * Report A is issued on 2 Apr, before it is due; report B is not issued until 15 Apr, so it gets every
 * notice, then a number clash with A, then two coordinators issue it at once (exactly one gets it).
 */
const START = '2015-03-02T09:00:00+07:00';
const P = 'qd-925-thai-binh';
const coordinator: Actor = { id: 'chanh-van-phong@so-tttt.test', role: 'coordinator' };
const auditor: Actor = { id: 'auditor@test', role: 'auditor' };

describe('the compiled report as an obligation (Q1 2015, time skipped)', () => {
  const bed = useTestbed({ startAt: START });

  it('reminds, marks overdue and escalates until issued; issuing stops it, sends the report and completes', async () => {
    const { env, world } = bed();
    const units = world.program.units.filter((u) => u.reports && u.id !== world.program.coordinator).map((u) => u.id);
    const a = scheduledRoundInput(world, 2015, '2015-Q1', units.slice(0, 2), 'a').input;
    const b = scheduledRoundInput(world, 2015, '2015-Q1', units.slice(2, 4), 'b').input;
    const reportA = `${P}:2015-Q1-a`;
    const reportB = `${P}:2015-Q1-b`;
    // The issue activity waits 1.5 s before writing, so that a second caller arrives while the first is
    // being handled (the workflow's reservation is what is under test, not the database's).
    const activities = {
      ...world.activities,
      issueCompiledReportDraft: async (req: Parameters<typeof world.activities.issueCompiledReportDraft>[0]) => {
        await new Promise((r) => setTimeout(r, 1500));
        return world.activities.issueCompiledReportDraft(req);
      },
    };
    const { worker, taskQueue } = await createTestWorker(env, activities);
    let numberB = 0;
    // The clock only judges the overdue flag of what is read back, which this test does not assert.
    const c = { db: world.db, gateway: new WorkflowGateway(env.client, { db: world.db, taskQueue }), clock: systemClock };

    await worker.runUntil(async () => {
      for (const input of [a, b]) await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, at('2015-03-30T09:00'));
      // (Not the rounds' result(): waiting on a result lets the test server skip time on.)
      const flowA = await waitForWorkflow(env, compiledReportWorkflowId(reportA));
      const flowB = await waitForWorkflow(env, compiledReportWorkflowId(reportB));
      // A report's workflow outlives the round that started it: when it completes, the Java test server
      // would stop skipping time for good (client/simulate/abandoned-children.ts says why).
      const abandoned = releaseLocksOfAbandonedChildren(env, [flowA.workflowId, flowB.workflowId]);
      await expect(flowA.query(reportStatusQuery)).resolves.toMatchObject({ phase: 'draft', dueAt: '2015-04-09T00:00:00+07:00', revision: 1, notices: [] });

      // Listed with its due instant; the auditor reads, but may not write.
      const listed = await listCompiledReports(c, { actor: auditor, programId: P, year: 2015 });
      expect(listed.filter((r) => r.id === reportA || r.id === reportB).map((r) => [r.id, r.status, r.dueAt]).sort()).toEqual([
        [reportA, 'draft', '2015-04-09T00:00:00+07:00'],
        [reportB, 'draft', '2015-04-09T00:00:00+07:00'],
      ]);
      await expect(editCompiledReport(c, { actor: auditor, id: reportB, conclusions: 'x' })).rejects.toMatchObject({ code: 'forbidden' });

      // A is issued on 2 Apr, before it is due: one reminder went out (31 Mar), none after.
      await skipTo(env, at('2015-04-02T10:00'));
      const issuedA = await issueCompiledReport(c, { actor: coordinator, id: reportA, number: 5, signer: { name: 'Nguyễn Văn A' } });
      expect(issuedA).toMatchObject({ status: 'issued', number: 5, documentNumber: '05/BC-STTTT', issuedAt: expect.stringMatching(/^2015-04-02T10:00:\d\d(\.\d+)?\+07:00$/) });
      // Issued: the documents are rendered, the report sent, the workflow completes.
      const doneA = (await flowA.result()) as CompiledReportStatus;
      expect(doneA).toMatchObject({ phase: 'completed', number: 5, documents: { docx: expect.stringMatching(/compiled\/2015-Q1-a\.so-05\.docx$/) } });
      expect(existsSync(path.resolve(REPO_ROOT, doneA.documents!.docx))).toBe(true);
      expect(doneA.notices.map((n) => `${n.kind}:${n.step}@${n.at}`)).toEqual(['reminder:7@2015-03-31T08:00:00+07:00', expect.stringMatching(/^issued:5@2015-04-02T10:00/)]);

      // B is not issued: every notice, at its instant. (Updates are sent after the last long skip: the test
      // server then skips without delay.)
      await skipTo(env, at('2015-04-15T09:00'));
      const statusB = await flowB.query(reportStatusQuery);
      expect(statusB.notices.map((n) => `${n.kind}:${n.step}@${n.at}`)).toEqual([
        'reminder:7@2015-03-31T08:00:00+07:00',
        'reminder:3@2015-04-06T08:00:00+07:00',
        'reminder:1@2015-04-08T08:00:00+07:00',
        'overdue:0@2015-04-09T00:00:00+07:00',
        'escalation:1@2015-04-10T08:00:00+07:00',
        'escalation:2@2015-04-14T08:00:00+07:00',
      ]);

      // An issued report refuses edits, with its number and date.
      await expect(editCompiledReport(c, { actor: coordinator, id: reportA, conclusions: 'muộn' })).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/report qd-925-thai-binh:2015-Q1-a was issued as number 05\/BC-STTTT on 2015-04-02T10:00:\d\d(\.\d+)?\+07:00; an issued report cannot be edited/),
      });
      // NFD in, NFC stored.
      const edited = await editCompiledReport(c, { actor: coordinator, id: reportB, conclusions: 'Kết luận quý I.'.normalize('NFD') });
      expect(edited.conclusions).toBe('Kết luận quý I.'.normalize('NFC'));
      // The register number A took this year is refused for B, with the reason.
      await expect(issueCompiledReport(c, { actor: coordinator, id: reportB, number: 5, signer: { name: 'Nguyễn Văn A' } })).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/number 5 of 2015 was already given to qd-925-thai-binh:2015-Q1-a; take the next free number/),
      });

      // Two coordinators issue B at once, and a third edits while it is being issued.
      const signer = { title: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: 'Trần Thị B' };
      const first = issueCompiledReport(c, { actor: coordinator, id: reportB, number: 6, signer, issuedAt: '2015-04-15T08:30:00+07:00' });
      const second = issueCompiledReport(c, { actor: { ...coordinator, id: 'pho-giam-doc@so-tttt.test' }, id: reportB, number: 7, signer, issuedAt: '2015-04-15T08:30:00+07:00' });
      const issues = Promise.allSettled([first, second]);
      await new Promise((r) => setTimeout(r, 400));
      const [r3] = await Promise.allSettled([editCompiledReport(c, { actor: coordinator, id: reportB, introduction: 'Mở đầu mới' })]);
      const [r1, r2] = await issues;
      expect([r1.status, r2.status].sort()).toEqual(['fulfilled', 'rejected']);
      const winner = (r1.status === 'fulfilled' ? r1 : r2) as PromiseFulfilledResult<Awaited<typeof first>>;
      const loser = (r1.status === 'rejected' ? r1 : r2) as PromiseRejectedResult;
      expect(loser.reason).toMatchObject({ code: 'refused', message: 'the issue was refused: report qd-925-thai-binh:2015-Q1-b is being issued right now; it cannot be issued meanwhile' });
      expect(r3).toMatchObject({ status: 'rejected', reason: { code: 'refused', message: 'the edit was refused: report qd-925-thai-binh:2015-Q1-b is being issued right now; it cannot be edited meanwhile' } });
      numberB = winner.value.number!;
      expect([6, 7]).toContain(numberB);
      expect(winner.value).toMatchObject({ status: 'issued', issuedAt: '2015-04-15T08:30:00+07:00', conclusions: 'Kết luận quý I.', signer });
      await expect(flowB.result()).resolves.toMatchObject({ phase: 'completed', number: numberB });
      await abandoned.stop();
    });

    // The outbox holds each mail once, at its planned instant, to the roles the program names.
    const mails = async (roundId: string) => (await outboxOf(world.db, roundId)).filter((n) => n.kind.startsWith('report-'));
    const coordinatorUnit = world.program.units.find((u) => u.id === 'so-tttt')!;
    const contact = coordinatorUnit.contact.email;
    const sentB = await mails(b.roundId);
    expect(sentB.map((n) => [n.kind, n.step, iso(n.at), n.to])).toEqual([
      ['report-reminder', '7', '2015-03-31T08:00:00+07:00', [contact]],
      ['report-reminder', '3', '2015-04-06T08:00:00+07:00', [contact]],
      ['report-reminder', '1', '2015-04-08T08:00:00+07:00', [contact]],
      ['report-overdue', '0', '2015-04-09T00:00:00+07:00', [contact]],
      ['report-escalation', '1', '2015-04-10T08:00:00+07:00', [coordinatorUnit.head.email]],
      ['report-escalation', '2', '2015-04-14T08:00:00+07:00', [contact, 'contact.van-phong-ubnd@thaibinh.example']],
      // sendTo: ubnd-tinh (a unit), bo-tttt (an addressee with e-mail); copyTo: ban-tuyen-giao.
      ['report-issued', String(numberB), '2015-04-15T08:30:00+07:00', [contact, 'contact.ubnd-tinh@thaibinh.example', 'contact.bo-tttt@mic.example', 'contact.ban-tuyen-giao@thaibinh.example']],
    ]);
    const issuedMail = await world.db.notification.findFirstOrThrow({ where: { idempotencyKey: `report:${reportB}|report-issued|${numberB}` } });
    expect(issuedMail.subject).toBe(`[kybao] Báo cáo số 0${numberB}/BC-STTTT: ${(await showCompiledReport(c, { actor: auditor, id: reportB })).title.vi}`);
    expect(issuedMail.bodyText).toContain(`compiled/2015-Q1-b.so-0${numberB}.docx`);
    expect(issuedMail.bodyText).toContain('do KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Trần Thị B ký');
    // A, issued on 2 Apr: one reminder, then the issued report, nothing after.
    expect((await mails(a.roundId)).map((n) => [n.kind, iso(n.at)])).toEqual([
      ['report-reminder', '2015-03-31T08:00:00+07:00'],
      ['report-issued', expect.stringMatching(/^2015-04-02T10:00/)],
    ]);
  }, 300_000);
});
