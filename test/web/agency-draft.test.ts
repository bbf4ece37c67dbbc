import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { getFormDraft, listRoundFormData } from '../../infra/db/form-data';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { useBrowser } from '../helpers/browser';
import { useWebBed } from '../helpers/web-bed';

/**
 * Drafts of the report form on the agency page (issue #15, item 2), in Debian's headless Chromium at a
 * phone's width, Q1 2015 on the time-skipping server: a bad figure is refused naming the field and
 * nothing is kept; a partial draft is saved (texts NFC) without becoming a submission, shown with the
 * time it was saved in Asia/Ho_Chi_Minh, and is there again when the link is opened anew; another unit's
 * link can neither read it on the page nor through the API; sending uses the values as last edited and
 * removes the draft.
 */
const P = 'qd-925-thai-binh';
const ZONE = 'Asia/Ho_Chi_Minh';
const PHONE = { width: 375, height: 740 };
// "Hội nghị" typed on a system that sends decomposed Unicode (NFD): stored and shown as NFC.
const TASK_TEXT_NFD = 'Hội nghị báo chí quý I (nháp).'.normalize('NFD');
const TASK_TEXT = TASK_TEXT_NFD.normalize('NFC');

describe('drafts of the report form on the agency page, in a real browser at phone width', () => {
  const bed = useWebBed({ startAt: '2015-03-10T09:00:00+07:00' });
  const browser = useBrowser({ viewport: PHONE });

  /** Nothing wider than the screen: the page scrolls down, never sideways. */
  const fitsPhone = async (page: Page) => expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(PHONE.width);

  it('saves, reloads, refuses a bad value and another unit, then submits the latest values', async () => {
    const { env, world, taskQueue, url } = bed();
    const scheduled = computeYearSchedule(world.outline, 2015).rounds.find((r) => r.kind === 'quarterly-report' && r.roundKey.endsWith('Q1'))!;
    const roundId = roundIdOf(P, scheduled.roundKey);
    const input = { ...roundInputFromSchedule(world.outline, scheduled, { roundId }), audience: { unitIds: ['so-tttt', 'so-khdt'] } };
    await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(roundId), args: [input] });
    const links: Record<string, string> = {};
    for (let i = 0; i < 300 && Object.keys(links).length < 2; i++) {
      for (const m of await world.messages())
        for (const unit of ['so-tttt', 'so-khdt']) {
          const found = new RegExp(`Nộp báo cáo tại: (\\S+/rounds/${encodeURIComponent(roundId)}/units/${unit}\\?t=\\S+)`).exec(m.text);
          if (found) links[unit] = found[1]!;
        }
      if (Object.keys(links).length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    const pagePath = `/rounds/${encodeURIComponent(roundId)}/units/so-tttt`;
    const storedDraft = () => getFormDraft(world.db, roundId, 'so-tttt');

    const page = await browser.context().newPage();
    await page.goto(links['so-tttt']!);
    await expect(page.locator('[data-test=draft-saved]').count()).resolves.toBe(0);
    await fitsPhone(page);
    const saveDraft = () => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('[data-test=save-draft]')]);

    // A bad figure: refused with the field named, what was typed still on the page, nothing kept.
    await page.fill('[name="ind.su-kien"]', '-2');
    await page.fill('[name="ind.kinh-phi-da-chi"]', '120000000');
    await saveDraft();
    await expect(page.locator('[role=alert]').innerText()).resolves.toMatch(/form: indicators\.su-kien: .*negative/);
    await expect(page.inputValue('[name="ind.su-kien"]')).resolves.toBe('-2');
    await expect(page.inputValue('[name="ind.kinh-phi-da-chi"]')).resolves.toBe('120000000');
    expect(await storedDraft()).toBeNull();

    // A partial draft (required figures left blank) is kept, and is not a submission.
    await page.fill('[name="ind.su-kien"]', '4');
    await page.fill('[name="sec.ket-qua-nhiem-vu.task.1"]', TASK_TEXT_NFD);
    await saveDraft();
    await expect(page.locator('[role=alert]').count()).resolves.toBe(0);
    const draft = (await storedDraft())!;
    expect(draft.formData).toEqual({ indicators: { 'su-kien': 4, 'kinh-phi-da-chi': '120000000' }, sections: { 'ket-qua-nhiem-vu': { tasks: { '1': TASK_TEXT } } } });
    expect(draft.savedBy).toBe('agency:so-tttt');
    // Saved at the server's (time-skipped) clock, shown in the program's zone, not the machine's.
    const savedLocal = DateTime.fromISO(draft.savedAt, { zone: ZONE });
    expect(savedLocal.toFormat('yyyy-MM-dd')).toBe('2015-03-10');
    await expect(page.locator('[data-test=draft-saved]').innerText()).resolves.toBe(
      `Đã lưu bản nháp lúc ${savedLocal.toFormat('HH:mm')} (10/03/2015) — chưa gửi: bấm “Gửi” để nộp báo cáo`,
    );
    const obligation = await world.db.obligation.findUniqueOrThrow({ where: { roundId_unitId: { roundId, unitId: 'so-tttt' } }, include: { submissions: true } });
    expect([obligation.status, obligation.submissions.length]).toEqual(['pending', 0]);
    expect(await listRoundFormData(world.db, roundId)).toEqual([]);
    await fitsPhone(page);
    await browser.shot(page, '21-agency-draft-phone');

    // Opening the link again: the draft's values, the other fields empty.
    await page.goto(links['so-tttt']!);
    await expect(page.inputValue('[name="ind.su-kien"]')).resolves.toBe('4');
    await expect(page.inputValue('[name="ind.kinh-phi-da-chi"]')).resolves.toBe('120000000');
    await expect(page.inputValue('[name="ind.an-pham"]')).resolves.toBe('');
    await expect(page.inputValue('[name="sec.ket-qua-nhiem-vu.task.1"]')).resolves.toBe(TASK_TEXT);
    await expect(page.locator('[data-test=draft-saved]').count()).resolves.toBe(1);

    // Another unit's link: its own page shows none of it; so-tttt's page and draft refuse it (403).
    const khdtToken = new URL(links['so-khdt']!).searchParams.get('t')!;
    const other = await browser.context().newPage();
    await other.goto(links['so-khdt']!);
    await expect(other.inputValue('[name="ind.su-kien"]')).resolves.toBe('');
    await expect(other.locator('[data-test=draft-saved]').count()).resolves.toBe(0);
    await other.close();
    const asOther = async (method: string, at: string, body?: unknown) => {
      const res = await fetch(`${url}${at}${at.includes('?') ? '&' : '?'}t=${encodeURIComponent(khdtToken)}`, {
        method,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, text: await res.text() };
    };
    const pageAsOther = await asOther('GET', pagePath);
    expect(pageAsOther.status).toBe(403);
    expect(pageAsOther.text).not.toContain('120000000');
    const apiAsOther = await asOther('GET', `/api${pagePath}/draft`);
    expect(apiAsOther.status).toBe(403);
    expect(apiAsOther.text).not.toContain('120000000');
    expect((await asOther('PUT', `/api${pagePath}/draft`, { indicators: { 'su-kien': 99 } })).status).toBe(403);
    expect((await storedDraft())!.formData.indicators['su-kien']).toBe(4);

    // Through the API with its own link, so-khdt reads its own (empty) draft and saves one; a bad value names the field.
    const own = (method: string, body?: unknown) =>
      fetch(`${url}/api/rounds/${encodeURIComponent(roundId)}/units/so-khdt/draft?t=${encodeURIComponent(khdtToken)}`, {
        method,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
    await expect((await own('GET')).json()).resolves.toEqual({ draft: null });
    const bad = await own('PUT', { indicators: { 'ty-le-giai-ngan': 130 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^form: indicators\.ty-le-giai-ngan: /);
    const saved = await own('PUT', { indicators: { 'su-kien': 2 } });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { formData: unknown }).formData).toEqual({ indicators: { 'su-kien': 2 }, sections: {} });
    expect((await storedDraft())!.formData.indicators['su-kien']).toBe(4);

    // Send: the values as last edited (su-kien changed after the draft), then no draft is left.
    const figures = { 'su-kien': '5', 'an-pham': '3', 'tin-bai-cong-ttdt': '25', 'ty-le-giai-ngan': '30', 'doan-bao-chi-nuoc-ngoai': '1' };
    for (const [id, value] of Object.entries(figures)) await page.fill(`[name="ind.${id}"]`, value);
    await Promise.all([page.waitForSelector('[data-test=receipt]'), page.click('[data-test=submit-form] button[type=submit]:not([data-test=save-draft])')]);
    await expect(page.locator('[data-test=receipt]').innerText()).resolves.toMatch(/Phiên bản 1 — 10\/03\/2015 \d{2}:\d{2} — đúng hạn/);
    await expect(page.locator('[data-test=draft-saved]').count()).resolves.toBe(0);
    await fitsPhone(page);
    await page.close();
    const stored = await listRoundFormData(world.db, roundId);
    expect(stored.map((f) => [f.unitId, f.formData.indicators['su-kien'], f.formData.indicators['kinh-phi-da-chi'], f.formData.sections['ket-qua-nhiem-vu']?.tasks['1']])).toEqual([
      ['so-tttt', 5, '120000000', TASK_TEXT],
    ]);
    expect(await storedDraft()).toBeNull();
    // so-khdt's draft is its own and stays.
    expect((await getFormDraft(world.db, roundId, 'so-khdt'))!.formData.indicators).toEqual({ 'su-kien': 2 });
  }, 300_000);
});
