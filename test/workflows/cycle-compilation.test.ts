import { Context } from '@temporalio/activity';
import { getCompiledReport } from '../../infra/db/compiled-reports';
import { yearlyCycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId } from '../../workflows/ids';
import { useTestbed } from '../helpers/testbed';
import { createTestWorker } from '../helpers/temporal';

/**
 * The cycle's end compiles the year's report and, in a review year, the review's (workflows/cycle.ts).
 * Cycles started on 26 December 2017, after every deadline of their year, track no round and go straight
 * to the compilation, so each case runs in seconds: 2017 is the default program's sơ kết year (over
 * 2014–2017); a compilation that keeps failing is tried three times and the cycle still ends.
 */
describe('the cycle’s compiled reports at its end (time skipped)', () => {
  const bed = useTestbed({ startAt: '2017-12-26T09:00:00+07:00' });

  it('in 2017 compiles the year and the sơ kết 2014–2017, with their .docx and .xlsx', async () => {
    const { env, world } = bed();
    const P = world.program.id;
    const reviews: unknown[] = [];
    const activities = {
      ...world.activities,
      compileReviewReport: async (req: Parameters<typeof world.activities.compileReviewReport>[0]) => {
        reviews.push(req);
        return world.activities.compileReviewReport(req);
      },
    };
    const { worker, taskQueue } = await createTestWorker(env, activities);
    const result = await worker.runUntil(
      env.client.workflow.execute(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(P, 2017), args: [{ programRef: world.programRef, year: 2017 }] }),
    );
    expect(result.phase).toBe('done');
    expect(result.rounds.every((r) => r.state === 'not-tracked')).toBe(true);
    expect(reviews).toEqual([{ programId: P, review: 'preliminary', fromYear: 2014, toYear: 2017, compiledAt: expect.stringMatching(/^2017-12-26T0[2-3]:/) }]);
    const year = await getCompiledReport(world.db, `${P}:year-2017`);
    expect(year).toMatchObject({ scope: 'year', fromYear: 2017, toYear: 2017, state: { status: 'draft' } });
    const review = await getCompiledReport(world.db, `${P}:preliminary-review-2014-2017`);
    expect(review).toMatchObject({ scope: 'review', fromYear: 2014, toYear: 2017, state: { status: 'draft' } });
    expect(review!.model.title.vi).toMatch(/^Sơ kết 4 năm thực hiện /);
    expect(review!.model.period.vi).toBe('giai đoạn 2014 – 2017');
    expect([year!.documents.docx?.ref, review!.documents.xlsx?.ref]).toEqual([expect.stringMatching(/\/year-2017\.docx$/), expect.stringMatching(/\/preliminary-review-2014-2017\.xlsx$/)]);
  }, 300_000);

  it('tries a failing compilation three times, then ends the year anyway (2015: no review)', async () => {
    const { env, world } = bed();
    const P = world.program.id;
    const attempts: number[] = [];
    const reviews: unknown[] = [];
    const activities = {
      ...world.activities,
      compileYearReport: async () => {
        attempts.push(Context.current().info.attempt);
        throw new Error('disk full');
      },
      compileReviewReport: async (req: unknown) => {
        reviews.push(req);
        throw new Error('not expected: 2015 is no review year');
      },
    };
    const { worker, taskQueue } = await createTestWorker(env, activities);
    const result = await worker.runUntil(
      env.client.workflow.execute(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(P, 2015), args: [{ programRef: world.programRef, year: 2015 }] }),
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(reviews).toEqual([]);
    // The cycle went on to its annual summary and ended.
    expect(result.phase).toBe('done');
    expect(result.compilation?.reference).toMatch(/annual-2015\.md$/);
    expect(await getCompiledReport(world.db, `${P}:year-2015`)).toBeNull();
  }, 300_000);
});
