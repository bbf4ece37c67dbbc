import type { WorkflowHandle } from '@temporalio/client';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { reportingUnits } from '../../domain/program/resolve';
import { submitReport } from '../helpers/rounds';
import { approvePlanUpdate, cycleStatusQuery, startAdhocRoundUpdate, yearlyCycleWorkflow } from '../../workflows/cycle';
import { decideEstimateUpdate, estimatesStatusQuery, submitEstimateUpdate, type estimatesWorkflow } from '../../workflows/estimates';
import { cycleWorkflowId, estimatesWorkflowId, roundIdOf } from '../../workflows/ids';
import { at, iso, skipTo } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker, expectUpdateRejected } from '../helpers/temporal';
import { getCompiledReport, listCompiledReports } from '../../infra/db/compiled-reports';

/**
 * A whole cycle year (2015) of the default program with simulated units, from 20 November 2014:
 * units 0–19 always report on time, 20–22 always late, 23–24 never; the appraiser approves most
 * estimates, adjusts one and returns one twice before approving it; the committee approves the plan;
 * the coordinator runs one ad hoc round in May. Every reminder and escalation the never-reporting units
 * got is checked against the calendar, instant by instant.
 */
describe('yearly cycle 2015 of the default program (time skipped)', () => {
  const bed = useTestbed({ startAt: '2014-11-20T09:00:00+07:00' });

  it('runs plans, appraisal, approval, four quarters, an ad hoc round and the compilation', async () => {
    const { env, world } = bed();
    const program = world.program;
    const year = 2015;
    const units = reportingUnits(program).map((u) => u.id);
    expect(units.length).toBeGreaterThanOrEqual(25);
    const onTime = units.slice(0, 20);
    const late = units.slice(20, 23);
    const never = units.slice(23);
    const returned = onTime[2]!;
    const adjusted = onTime[1]!;
    const schedule = computeYearSchedule(program, year);
    const roundOf = (key: string) => schedule.rounds.find((r) => r.roundKey === `${year}-${key}`)!;

    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const result = await worker.runUntil(async () => {
      const cycle = await env.client.workflow.start(yearlyCycleWorkflow, {
        taskQueue,
        workflowId: cycleWorkflowId(program.id, year),
        args: [{ programRef: world.programRef, year }],
      });
      // The default program's 26 reporting units are one estimate group.
      const estimates = env.client.workflow.getHandle<typeof estimatesWorkflow>(estimatesWorkflowId(program.id, year, 1));
      const submitTo = async (roundKey: string, ids: string[], amount = false) => {
        for (const unitId of ids) {
          await submitReport(env.client, world.db, roundIdOf(program.id, roundKey), {
            unitId,
            submittedBy: `clerk@${unitId}`,
            reference: `files/${roundKey}/${unitId}.pdf`,
            ...(amount ? { amountVnd: String(1_000_000_000 + units.indexOf(unitId)) } : {}),
          });
        }
      };

      // Invalid requests are refused by the validators and change nothing.
      let before = await cycle.query(cycleStatusQuery);
      while (before.rounds.find((r) => r.kind === 'annual-plan')?.state !== 'open') {
        await new Promise((r) => setTimeout(r, 50));
        before = await cycle.query(cycleStatusQuery);
      }
      const adhoc = (payload: object) => cycle.executeUpdate(startAdhocRoundUpdate, { args: [payload as never] });
      const base = { title: 'Báo cáo nhanh', deadline: '2014-12-20T00:00:00+07:00', startedBy: 'coordinator@so-tttt' };
      await expectUpdateRejected(adhoc({ ...base, units: { unitIds: ['so-xyz'] } }), /unknown unit "so-xyz"/);
      await expectUpdateRejected(adhoc({ ...base, units: { category: 'ministry' } }), /no unit has category "ministry"/);
      await expectUpdateRejected(adhoc({ ...base, units: { all: true }, deadline: '2014-11-01T00:00:00+07:00' }), /has already passed/);
      await expectUpdateRejected(adhoc({ ...base, units: { all: true }, deadline: 'tomorrow' }), /malformed payload: deadline/);
      await expectUpdateRejected(
        estimates.executeUpdate(submitEstimateUpdate, { args: [{ unitId: 'so-xyz', amountVnd: '1', submittedBy: 'x' }] }),
        /unit "so-xyz" is not in estimate group 1 of 2015/,
      );
      await expectUpdateRejected(
        estimates.executeUpdate(submitEstimateUpdate, { args: [{ unitId: units[0]!, amountVnd: '-5', submittedBy: 'x' }] }),
        /amounts are whole VND/,
      );
      expect(await cycle.query(cycleStatusQuery)).toEqual(before);
      expect((await estimates.query(estimatesStatusQuery)).estimates).toEqual([]);

      // Plans and estimates, due before 16 Dec 2014 00:00.
      await skipTo(env, at('2014-12-10T10:00'));
      await submitTo(`${year}-plan`, onTime, true);
      await skipTo(env, at('2014-12-18T10:00'));
      await submitTo(`${year}-plan`, late, true);

      // Appraisal opens when the plan round closes (its cut-off, 19 Dec 08:00).
      await skipTo(env, at('2014-12-22T10:00'));
      await waitForPhase(cycle, 'appraisal');
      const decide = (payload: object) => estimates.executeUpdate(decideEstimateUpdate, { args: [payload as never] });
      for (const unitId of [...onTime, ...late]) {
        if (unitId === returned) await decide({ decision: 'return', unitId, decidedBy: 'appraiser@so-tc', reason: 'Thiếu thuyết minh chi tiết' });
        else if (unitId === adjusted) await decide({ decision: 'adjust', unitId, decidedBy: 'appraiser@so-tc', amountVnd: '800000000', reason: 'Cắt giảm hạng mục in ấn' });
        else await decide({ decision: 'approve', unitId, decidedBy: 'appraiser@so-tc' });
      }
      await expectUpdateRejected(decide({ decision: 'approve', unitId: onTime[0], decidedBy: 'x' }), /is approved; only a submitted estimate/);
      await expectUpdateRejected(decide({ decision: 'approve', unitId: never[0], decidedBy: 'x' }), /has no estimate/);
      await expectUpdateRejected(cycle.executeUpdate(approvePlanUpdate, { args: [{ approvedBy: 'ubnd' }] }), /once appraisal is done/);

      await skipTo(env, at('2014-12-24T10:00'));
      await estimates.executeUpdate(submitEstimateUpdate, { args: [{ unitId: returned, amountVnd: '950000000', submittedBy: `clerk@${returned}` }] });
      await skipTo(env, at('2014-12-26T10:00'));
      await decide({ decision: 'return', unitId: returned, decidedBy: 'appraiser@so-tc', reason: 'Chưa khớp với kế hoạch' });
      await skipTo(env, at('2015-01-05T10:00'));
      await estimates.executeUpdate(submitEstimateUpdate, { args: [{ unitId: returned, amountVnd: '900000000', submittedBy: `clerk@${returned}` }] });
      await skipTo(env, at('2015-01-07T10:00'));
      await decide({ decision: 'approve', unitId: returned, decidedBy: 'appraiser@so-tc' });

      await skipTo(env, at('2015-01-20T10:00'));
      await waitForPhase(cycle, 'approval');
      await cycle.executeUpdate(approvePlanUpdate, { args: [{ approvedBy: 'chu-tich@ubnd-tinh' }] });

      for (const [q, lateAt] of [
        ['Q1', '2015-03-27T10:00'],
        ['Q2', '2015-06-26T10:00'],
        ['Q3', '2015-09-28T10:00'],
        ['Q4', '2015-12-28T10:00'],
      ] as const) {
        const r = roundOf(q);
        await skipTo(env, r.deadlineMs - 5 * 86_400_000);
        await submitTo(`${year}-${q}`, onTime);
        if (q === 'Q2') {
          const adhoc = await cycle.executeUpdate(startAdhocRoundUpdate, {
            args: [{ title: 'Báo cáo đột xuất', units: { unitIds: onTime.slice(0, 3) }, deadline: '2015-06-30T00:00:00+07:00', startedBy: 'coordinator@so-tttt' }],
          });
          expect(adhoc.units).toBe(3);
          await submitTo(`${year}-adhoc-1`, onTime.slice(0, 3));
        }
        await skipTo(env, at(lateAt));
        await submitTo(`${year}-${q}`, late);
      }
      const done = await cycle.result();
      const { events } = await cycle.fetchHistory();
      console.log(`cycle ${year}: ${events?.length} history events`);
      expect(events!.length).toBeLessThan(10_000);
      return { ...done, group: await estimates.result() };
    });

    expect(result.phase).toBe('done');
    // Plans: 20 on time, 3 late, the rest missing. Quarters: the same pattern every time.
    const byId = Object.fromEntries(result.rounds.map((r) => [r.roundId, r]));
    for (const key of ['plan', 'Q1', 'Q2', 'Q3', 'Q4']) {
      expect(byId[roundIdOf(program.id, `${year}-${key}`)]).toMatchObject({ state: 'closed', counts: { submitted: 20, late: 3, missing: never.length } });
    }
    expect(byId[roundIdOf(program.id, `${year}-adhoc-1`)]).toMatchObject({ kind: 'adhoc', state: 'closed', counts: { submitted: 3 } });
    expect(byId[roundIdOf(program.id, `${year}-appraisal`)]).toMatchObject({ state: 'closed', counts: { submitted: 1 } });
    expect(byId[roundIdOf(program.id, `${year}-approval`)]).toMatchObject({ state: 'closed', counts: { submitted: 1 } });

    // Appraisal outcome: the returned estimate went back twice and was approved at its third version.
    const estimate = (unitId: string) => result.group.estimates.find((e) => e.unitId === unitId)!;
    expect(estimate(returned)).toMatchObject({ status: 'approved', version: 3, returns: 2, approvedAmountVnd: '900000000' });
    expect(estimate(adjusted)).toMatchObject({ status: 'adjusted', approvedAmountVnd: '800000000' });
    expect(result.group.estimates).toHaveLength(23);
    expect(result.group.estimates.filter((e) => e.status === 'approved')).toHaveLength(22);
    expect(result.estimateGroups).toEqual({ count: 1, settled: 1 });
    const revisions = result.group.revisionRounds;
    // Five working days after each return, by the published schedule: Saturday 27 Dec 2014 was worked
    // (for Friday 2 Jan 2015, a day off), so the first revision is due before Sunday 28 Dec.
    expect(revisions.map((r) => r.deadline)).toEqual(['2014-12-28T00:00:00+07:00', '2015-01-06T00:00:00+07:00']);
    expect(result.approval?.approvedBy).toBe('chu-tich@ubnd-tinh');
    expect(result.compilation?.reference).toMatch(/annual-2015\.md$/);
    // The year's compiled draft (issue #15), once every round had closed: the Q4 round closes at its
    // cut-off, its last escalation, since two units never report; the activity runs at that instant plus
    // the few real seconds the close takes (the test server's clock runs while activities do).
    const yearReport = (await getCompiledReport(world.db, `${program.id}:year-${year}`))!;
    expect(yearReport).toMatchObject({ scope: 'year', fromYear: year, toYear: year, revision: 1, state: { status: 'draft' } });
    expect(yearReport.documents.docx?.ref).toMatch(/\/year-2015\.docx$/);
    const q4CutOff = Date.parse(roundOf('Q4').escalations.at(-1)!.at);
    expect(Date.parse(yearReport.model.compiledAt) - q4CutOff).toBeGreaterThanOrEqual(0);
    expect(Date.parse(yearReport.model.compiledAt) - q4CutOff).toBeLessThan(10 * 60_000);
    // Timeliness per unit across the year's rounds: the never-reporting units missed every quarter, the
    // always-late ones were late in each (plan, Q1–Q4; the ad hoc round asked 3 of the on-time units).
    const quarters = ['2015-Q1', '2015-Q2', '2015-Q3', '2015-Q4'];
    for (const unitId of never) expect(yearReport.model.missing.find((m) => m.unitId === unitId)?.rounds).toEqual(expect.arrayContaining(quarters));
    for (const unitId of late) expect(yearReport.model.compliance.units.find((u) => u.unitId === unitId)?.counts).toMatchObject({ late: 5, missing: 0 });
    // 2015 is no review year of the default program: no sơ kết / tổng kết.
    expect(await listCompiledReports(world.db, { programId: program.id, scope: 'review' })).toEqual([]);

    // Every reminder and escalation of the units that never report, exactly as the calendar planned it.
    for (const key of ['plan', 'Q1', 'Q2', 'Q3', 'Q4']) {
      const planned = roundOf(key);
      const sent = await outboxOf(world.db, roundIdOf(program.id, planned.roundKey));
      for (const unitId of never) {
        const got = sent.filter((n) => n.unitId === unitId && (n.kind === 'reminder' || n.kind === 'escalation' || n.kind === 'overdue')).map((n) => iso(n.at));
        const want = [...planned.reminders.map((r) => r.at), planned.deadline, planned.escalations[0]!.at];
        expect(got).toEqual(want);
      }
      const above = sent.filter((n) => n.unitId === null && n.kind === 'escalation').map((n) => iso(n.at));
      expect(above).toEqual([planned.escalations[1]!.at]);
    }
    const estimateRows = await world.db.budgetEstimate.findMany({ where: { unitId: returned } });
    expect(estimateRows.map((e) => e.version).sort()).toEqual([1, 2, 3]);
    const decisions = await world.db.appraisalDecision.count();
    expect(decisions).toBe(23 + 2);
  }, 600_000);
});

async function waitForPhase(cycle: WorkflowHandle, phase: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const status = await cycle.query(cycleStatusQuery);
    if (status.phase === phase) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cycle never reached phase ${phase}`);
}
