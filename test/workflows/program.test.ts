import { programWorkflow } from '../../workflows/program';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { cycleWorkflowId, programWorkflowId, roundIdOf } from '../../workflows/ids';
import { iso } from '../helpers/clock';
import { outboxOf } from '../helpers/outbox';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker } from '../helpers/temporal';
import { releaseLocksOfAbandonedChildren } from '../../client/simulate/abandoned-children';
import { runsOfWorkflow } from '../../client/audit/history';
import { type yearlyCycleWorkflow } from '../../workflows/cycle';
import { listCompiledReports } from '../../infra/db/compiled-reports';

/**
 * The default program's whole period, 2014–2020, from 1 November 2013, with no unit ever acting: every
 * round runs to its cut-off, the preliminary review falls in 2017 and the final review in 2020, and the
 * cycles overlap (each starts ahead of its December plan deadline) and the program ends after the final
 * review.
 */
describe('the 2014–2020 program (time skipped)', () => {
  const bed = useTestbed({ startAt: '2013-11-01T09:00:00+07:00' });

  it('runs seven yearly cycles and ends with the final review', async () => {
    const { env, world } = bed();
    const program = world.program;
    expect(program.period).toEqual({ firstYear: 2014, lastYear: 2020 });
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const years = [2014, 2015, 2016, 2017, 2018, 2019, 2020];
    const watcher = releaseLocksOfAbandonedChildren(env, years.map((y) => cycleWorkflowId(program.id, y)));
    const { result, cycles, runs } = await worker
      .runUntil(async () => {
        const handle = await env.client.workflow.start(programWorkflow, { taskQueue, workflowId: programWorkflowId(program.id), args: [{ programRef: world.programRef }] });
        const result = await handle.result();
        const cycles = [];
        for (const year of years) cycles.push(await env.client.workflow.getHandle<typeof yearlyCycleWorkflow>(cycleWorkflowId(program.id, year)).result());
        return { result, cycles, runs: await runsOfWorkflow(env.client, handle.workflowId) };
      })
      .finally(() => watcher.stop());

    expect(result.state).toBe('done');
    expect(result.started).toEqual(years);
    expect(result.ended.map((e) => e.year).sort()).toEqual(years);
    expect(result.final).toMatchObject({ year: 2020, notTracked: 0 });
    expect(result.final).toEqual(result.ended.find((e) => e.year === 2020));
    // One run per year that starts a cycle, then the run that waits for the last cycles to end: each
    // run's history stays small, whatever the period's length.
    expect(runs.map((r) => r.end)).toEqual([...years.map(() => 'continued-as-new'), 'completed']);
    expect(result.run).toBe(years.length + 1);
    const sizes = runs.map((r) => r.history.events?.length ?? 0);
    for (const size of sizes) expect(size).toBeLessThan(40);
    console.log(`program runs: ${sizes.join(', ')} events`);
    // Every cycle ended after the run that started it, on the test server each left a lock to release.
    expect(watcher.released()).toBe(years.length);
    for (const c of cycles) expect(c.rounds.filter((r) => r.state === 'not-tracked')).toEqual([]);
    // Each year's cycle starts ahead of its plan deadline (December of the year before), while the
    // previous year is still running, so plan reminders go out at their planned instants.
    const unit = program.units.find((u) => u.reports)!.id;
    for (let year = 2015; year <= 2020; year++) {
      const plan = computeYearSchedule(program, year).rounds.find((r) => r.kind === 'annual-plan')!;
      const sent = await outboxOf(world.db, roundIdOf(program.id, plan.roundKey));
      const reminders = sent.filter((n) => n.unitId === unit && n.kind === 'reminder').map((n) => iso(n.at));
      expect(reminders).toEqual(plan.reminders.map((r) => r.at));
    }
    const kinds = (year: number) => cycles[year - 2014]!.rounds.map((r) => r.kind);
    expect(kinds(2017)).toContain('preliminary-review');
    expect(kinds(2016)).not.toContain('preliminary-review');
    expect(kinds(2020)).toContain('final-review');
    const finalReview = cycles[6]!.rounds.find((r) => r.kind === 'final-review')!;
    expect(finalReview).toMatchObject({ state: 'closed', deadline: '2020-12-01T00:00:00+07:00' });
    // Nobody reported: every tracked obligation of every quarterly round ended missing.
    for (const cycle of cycles) {
      expect(cycle.phase).toBe('done');
      expect(cycle.compilation?.reference).toMatch(new RegExp(`annual-${cycle.year}\\.md$`));
      for (const r of cycle.rounds.filter((x) => x.kind === 'quarterly-report')) {
        expect(r.counts?.missing).toBe(program.units.filter((u) => u.reports).length);
      }
    }
    // The final review's round ran for every reporting unit, after which the program completed.
    const lastRound = await world.db.round.findUniqueOrThrow({ where: { id: finalReview.roundId } });
    expect(lastRound.status).toBe('closed');
    // Each year's compiled report, the sơ kết 2014–2017 at the end of 2017 and the tổng kết over the whole
    // period at the end of 2020 (workflows/cycle.ts, domain/compilation/review-periods.ts); nobody
    // reported, so every reporting unit is missing from all 28 quarters.
    const compiled = await listCompiledReports(world.db, { programId: program.id });
    expect(compiled.filter((r) => r.scope !== 'round').map((r) => r.id.slice(program.id.length + 1)).sort()).toEqual(
      [...years.map((y) => `year-${y}`), 'final-review-2014-2020', 'preliminary-review-2014-2017'].sort(),
    );
    const tongKet = compiled.find((r) => r.scope === 'review' && r.fromYear === 2014 && r.toYear === 2020)!;
    const quarters = tongKet.model.compliance.rounds.filter((r) => /-Q[1-4]$/.test(r.key));
    expect(quarters).toHaveLength(28);
    expect(tongKet.model.missing.map((m) => m.unitId).sort()).toEqual(program.units.filter((u) => u.reports).map((u) => u.id).sort());
  }, 900_000);
});

