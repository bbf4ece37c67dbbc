import { createCompilationActivities } from '../../activities/compilation';
import { getCompiledReport } from '../../infra/db/compiled-reports';
import { listRoundFormData } from '../../infra/db/form-data';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { useBrowser } from '../helpers/browser';
import { useWebBed } from '../helpers/web-bed';

/**
 * The agency page shows the quarterly report form the program declares (issue #15) and submits it, in
 * Debian's headless Chromium, Q1 2015 on the time-skipping server: a bad figure is refused with the
 * field named and nothing stored; the filled form without a file gives a receipt, is stored with the
 * submission, and the round's compiled figures hold it.
 */
const P = 'qd-925-thai-binh';

describe('the agency page’s report form in a real browser', () => {
  const bed = useWebBed({ startAt: '2015-03-10T09:00:00+07:00' });
  const browser = useBrowser({ viewport: { width: 1280, height: 900 } });

  it('fills and submits the quarterly form without a file; the compiled figures hold it', async () => {
    const { env, world, taskQueue } = bed();
    const scheduled = computeYearSchedule(world.outline, 2015).rounds.find((r) => r.kind === 'quarterly-report' && r.roundKey.endsWith('Q1'))!;
    const roundId = roundIdOf(P, scheduled.roundKey);
    const input = { ...roundInputFromSchedule(world.outline, scheduled, { roundId }), audience: { unitIds: ['so-tttt', 'so-khdt'] } };
    await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(roundId), args: [input] });
    let mail;
    for (let i = 0; i < 300 && !mail; i++) {
      mail = (await world.messages()).find((m) => m.text.includes(`/rounds/${encodeURIComponent(roundId)}/units/so-tttt?t=`));
      if (!mail) await new Promise((r) => setTimeout(r, 100));
    }
    const link = /Nộp báo cáo tại: (\S+)/.exec(mail!.text)![1]!;

    const page = await browser.context().newPage();
    await page.goto(link);
    const form = page.locator('[data-test=report-form]');
    // so-tttt is a department: the form's indicators for it, and one text per focal task.
    await expect(form.locator('input[name="ind.su-kien"]').count()).resolves.toBe(1);
    await expect(form.locator('textarea[name="sec.ket-qua-nhiem-vu.task.1"]').count()).resolves.toBe(1);
    await expect(page.locator('input[type=file]').getAttribute('required')).resolves.toBeNull();

    const fill = async (figures: Record<string, string>) => {
      for (const [id, value] of Object.entries(figures)) await page.fill(`[name="ind.${id}"]`, value);
      await page.fill('[name="sec.ket-qua-nhiem-vu.task.1"]', 'Sở Thông tin và Truyền thông: hội nghị báo chí quý I.');
    };
    const figures = { 'su-kien': '4', 'an-pham': '3', 'tin-bai-cong-ttdt': '25', 'kinh-phi-da-chi': '120000000', 'ty-le-giai-ngan': '30', 'doan-bao-chi-nuoc-ngoai': '1' };
    await fill({ ...figures, 'su-kien': '-2' });
    await Promise.all([page.waitForSelector('[role=alert]'), page.click('[data-test=submit-form] button[type=submit]')]);
    await expect(page.locator('[role=alert]').innerText()).resolves.toMatch(/form: indicators\.su-kien: .*negative/);
    expect(await listRoundFormData(world.db, roundId)).toEqual([]);

    await fill(figures);
    await Promise.all([page.waitForSelector('[data-test=receipt]'), page.click('[data-test=submit-form] button[type=submit]')]);
    await expect(page.locator('[data-test=receipt]').innerText()).resolves.toMatch(/Phiên bản 1 — 10\/03\/2015 \d{2}:\d{2} — đúng hạn/);
    await expect(page.locator('[data-test=receipt-form]').count()).resolves.toBe(1);
    await browser.shot(page, '20-agency-report-form');
    await page.close();

    const stored = await listRoundFormData(world.db, roundId);
    expect(stored.map((f) => [f.unitId, f.formData.indicators['su-kien'], f.formData.indicators['kinh-phi-da-chi'], f.formData.sections['ket-qua-nhiem-vu']?.tasks['1']])).toEqual([
      ['so-tttt', 4, '120000000', 'Sở Thông tin và Truyền thông: hội nghị báo chí quý I.'],
    ]);
    const compiled = await createCompilationActivities(world).compileRoundReport({ programId: P, roundId, compiledAt: '2015-03-10T03:00:00.000Z' });
    const model = (await getCompiledReport(world.db, compiled.id))!.model;
    const indicator = (id: string) => model.tables.flatMap((t) => t.indicators).find((i) => i.id === id)!;
    expect(indicator('su-kien').province).toEqual({ asked: 2, reported: 1, value: '4' });
    expect(indicator('kinh-phi-da-chi').province.value).toBe('120000000');
  }, 300_000);
});
