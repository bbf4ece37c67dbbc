import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { cycleStatusQuery, yearlyCycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId } from '../../workflows/ids';
import { useBrowser } from '../helpers/browser';
import { useWebBed, type WebBed } from '../helpers/web-bed';

/**
 * The pages in Debian's headless Chromium, as people use them, on cycle 2015 (time-skipping server
 * from 8 December 2014): an agency opens the link from the plan round's mail caught by the SMTP sink,
 * uploads its plan with a budget amount at phone width and gets the receipt; the coordinator's matrix
 * shows that unit on time; after the plan round closes, the appraiser returns the estimate and the
 * agency sees it returned, with the reason. Screenshots of every page go to test-output/screenshots/.
 */
const ZONE = 'Asia/Ho_Chi_Minh';
const at = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toMillis();
const P = 'qd-925-thai-binh';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

describe('kybao pages in a real browser', () => {
  const bed = useWebBed({ startAt: '2014-12-08T09:00:00+07:00', env: { KYBAO_SESSION_HOURS: '720' } });
  const browser = useBrowser({ viewport: PHONE });

  const { shot } = browser;

  const signIn = (page: Page, who: keyof WebBed['users']) => browser.signIn(page, bed(), who);

  it('takes an agency from its mail to a receipt, and shows the coordinator the unit on time', async () => {
    const { env, world, taskQueue } = bed();
    await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(P, 2015), args: [{ programRef: world.programRef, year: 2015 }] });
    // The plan round's opening mail, delivered by the dispatcher to the sink.
    let mail;
    for (let i = 0; i < 200 && !mail; i++) {
      mail = (await world.messages()).find((m) => m.text.includes(`/rounds/${encodeURIComponent(`${P}:2015-plan`)}/units/so-khdt?t=`));
      if (!mail) await new Promise((r) => setTimeout(r, 100));
    }
    if (!mail) {
      const rows = await world.db.notification.findMany({ select: { status: true, lastError: true, kind: true }, take: 5 });
      throw new Error(`no opening mail for so-khdt in the sink: ${(await world.messages()).length} messages; outbox ${JSON.stringify(rows)}`);
    }
    const link = /Nộp báo cáo tại: (\S+)/.exec(mail!.text)![1]!;
    expect(link.startsWith(`${bed().url}/rounds/${encodeURIComponent(`${P}:2015-plan`)}/units/so-khdt?t=`)).toBe(true);

    const page = await browser.context().newPage();
    await page.setViewportSize(PHONE);
    await page.goto(link);
    await expect(page.locator('h1').innerText()).resolves.toContain('Sở Kế hoạch và Đầu tư');
    await expect(page.locator('[data-test=status]').innerText()).resolves.toBe('chưa nộp');
    await expect(page.locator('[data-test=last-day]').innerText()).resolves.toBe('15/12/2014');
    await expect(page.locator('[data-test=no-estimate]').innerText()).resolves.toContain('Chưa có dự toán');
    // Usable on a phone: nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await shot(page, '01-agency-phone');

    await page.fill('textarea[name=note]', 'Kế hoạch thông tin đối ngoại 2015');
    await page.fill('input[name=amountVnd]', '950.000.000');
    await page.setInputFiles('input[type=file]', { name: 'Kế hoạch 2015.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\nKế hoạch 2015\n') });
    await Promise.all([page.waitForSelector('[data-test=receipt]'), page.click('[data-test=submit-form] button[type=submit]')]);
    const receipt = await page.locator('[data-test=receipt]').innerText();
    expect(receipt).toMatch(/Phiên bản 1 — 0[89]\/12\/2014 \d{2}:\d{2} — đúng hạn/);
    expect(receipt).toContain('Kế hoạch 2015.pdf (27 byte)');
    await shot(page, '02-agency-receipt-phone');
    const row = await world.db.obligation.findFirst({ where: { roundId: `${P}:2015-plan`, unitId: 'so-khdt' } });
    expect(row!.status).toBe('submitted');

    await signIn(page, 'coordinator');
    await page.setViewportSize(DESKTOP);
    await page.goto(`${bed().url}/coordinator?year=2015`);
    const cell = page.locator(`[data-test=matrix] tr[data-unit=so-khdt] td[data-round="${P}:2015-plan"]`);
    await expect(cell.getAttribute('class')).resolves.toBe('st-submitted');
    await expect(cell.innerText()).resolves.toContain('đúng hạn');
    await expect(page.locator(`[data-test=matrix] tr[data-unit=so-tttt] td[data-round="${P}:2015-plan"]`).getAttribute('class')).resolves.toBe('st-pending');
    // Rows by the unit's name and code (the code is what the ad hoc form asks for), columns by the round's
    // title and deadline (the program's zone), groups by the names the compiled reports use.
    const khdt = world.program.units.find((u) => u.id === 'so-khdt')!;
    await expect(page.locator('[data-test=matrix] tr[data-unit=so-khdt] th').innerText()).resolves.toBe(`${khdt.name.vi} so-khdt`);
    const plan = (await world.db.round.findUnique({ where: { id: `${P}:2015-plan` } }))!;
    const planDue = DateTime.fromJSDate(plan.deadline, { zone: 'Asia/Ho_Chi_Minh' }).toFormat('dd/MM/yyyy HH:mm');
    const planHeader = page.locator(`[data-test=matrix] th[data-round="${P}:2015-plan"]`);
    await expect(planHeader.innerText()).resolves.toBe(`${plan.titleVi}\nHạn nộp (trước) ${planDue}`);
    await expect(page.locator('tr[data-category=department] td').first().innerText()).resolves.toBe('Sở, ban, ngành');
    await shot(page, '03-coordinator');
    await page.click('[data-test=lang]');
    await expect(page.locator('h1').innerText()).resolves.toBe('Dashboard 2015');
    await expect(cell.innerText()).resolves.toContain('on time');
    await expect(page.locator('[data-test=matrix] tr[data-unit=so-khdt] th').innerText()).resolves.toBe(`${khdt.name.en} so-khdt`);
    await expect(planHeader.innerText()).resolves.toBe(`${plan.titleEn}\nDue before ${planDue}`);
    await expect(page.locator('tr[data-category=department] td').first().innerText()).resolves.toBe('Departments and agencies');
    await page.setViewportSize(PHONE);
    await shot(page, '04-coordinator-phone-en');
    await page.goto(`${bed().url}/coordinator?year=2015&lang=vi`);
    await page.close();
  });

  it('lets the appraiser return the estimate, and the agency sees it returned', async () => {
    const { env } = bed();
    await bed().skipTo(at('2014-12-22T10:00'));
    const cycle = env.client.workflow.getHandle(cycleWorkflowId(P, 2015));
    for (let i = 0; i < 100 && (await cycle.query(cycleStatusQuery)).phase !== 'appraisal'; i++) await new Promise((r) => setTimeout(r, 100));

    const page = await browser.context().newPage();
    await page.setViewportSize(DESKTOP);
    await signIn(page, 'appraiser');
    await page.goto(`${bed().url}/appraiser?year=2015`);
    const row = page.locator('[data-test=estimates] tr[data-unit=so-khdt]');
    await expect(row.innerText()).resolves.toContain('950.000.000');
    await expect(page.locator('[data-test=phase]').innerText()).resolves.toBe('thẩm định dự toán');
    await shot(page, '05-appraiser');
    await row.locator('input[name=reason]').fill('Thiếu thuyết minh chi tiết');
    await Promise.all([page.waitForURL(/done=1/), row.locator('button[value=return]').click()]);
    await expect(page.locator('[data-test=estimates] tr[data-unit=so-khdt]').innerText()).resolves.toContain('trả lại');
    await shot(page, '06-appraiser-returned');

    await browser.context().clearCookies();
    const mail = (await bed().world.messages()).find((m) => m.text.includes(`/rounds/${encodeURIComponent(`${P}:2015-plan`)}/units/so-khdt?t=`));
    const link = /Nộp báo cáo tại: (\S+)/.exec(mail!.text)![1]!;
    await page.setViewportSize(PHONE);
    await page.goto(link);
    const estimate = await page.locator('[data-test=estimate]').innerText();
    expect(estimate).toContain('trả lại');
    expect(estimate).toContain('Thiếu thuyết minh chi tiết');
    await shot(page, '07-agency-estimate-returned-phone');

    // The remaining pages, for the record: sign-in, approver, auditor (timeline of the plan round).
    await page.goto(`${bed().url}/login`);
    await shot(page, '08-login-phone');
    await page.setViewportSize(DESKTOP);
    await signIn(page, 'approver');
    await page.goto(`${bed().url}/approver?year=2015`);
    // The cycle's phase in the page's words (its code in data-phase), and the appraisal's outcome without a stray separator.
    await expect(page.locator('[data-test=phase]').getAttribute('data-phase')).resolves.toBe('appraisal');
    await expect(page.locator('[data-test=phase]').innerText()).resolves.toBe('thẩm định dự toán');
    await expect(page.locator('[data-test=estimate-counts]').innerText()).resolves.toMatch(/^[^;]+(; [^;]+)*$/);
    await shot(page, '09-approver');
    await signIn(page, 'auditor');
    await page.goto(`${bed().url}/auditor?workflow=${encodeURIComponent(`round:${P}:2015-plan`)}`);
    await expect(page.locator('[data-test=timeline]').innerText()).resolves.toMatch(/submission v1 from so-khdt by agency:so-khdt/);
    await shot(page, '10-auditor');
    // An auditor reads the dashboards without a single form that changes anything; an approver may not read the auditor's page.
    await page.goto(`${bed().url}/coordinator?year=2015`);
    await expect(page.locator('h1').innerText()).resolves.toBe('Bảng theo dõi 2015');
    expect(await page.locator('main form[method=post]').count()).toBe(0);
    await shot(page, '11-auditor-dashboard');
    await page.goto(`${bed().url}/appraiser?year=2015`);
    expect(await page.locator('main form[method=post]').count()).toBe(0);
    await signIn(page, 'approver');
    const refused = await page.goto(`${bed().url}/auditor`);
    expect(refused!.status()).toBe(403);
    await expect(page.locator('h1').innerText()).resolves.toBe('Không thực hiện được');
    await page.close();
  });
});
