import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createCompilationActivities } from '../../activities/compilation';
import { issueLink } from '../../app/links';
import { validateFormData } from '../../domain/forms';
import { closeRound, recordSubmission, setObligationStatus, upsertObligations, upsertRound } from '../../infra/db/round-repository';
import { DocxFile } from '../helpers/docx-reader';
import { useBrowser } from '../helpers/browser';
import { useWebBed, type WebBed } from '../helpers/web-bed';
import { compiledReportWorkflow, reportStatusQuery } from '../../workflows/compiled-report';
import { compiledReportWorkflowId } from '../../workflows/ids';
import { formOf, Q1_DUE, REPORTS } from '../reports/fixtures/quarter-2015-q1';

/**
 * The coordinator's compiled reports on the web (issue #15), in Debian's headless Chromium against a
 * real web app, SQLite and Temporal server: Q1 2015 of the default program (26 units, three late, Vũ
 * Thư missing; test/reports/fixtures) is compiled into a draft as the round's close does, on Monday
 * 30 March 2015 at 09:00 in Thái Bình. The coordinator finds it in the Reports section, reads its key
 * figures, downloads the .docx and reads it back; an auditor sees the same pages without a form and is
 * refused on POST; an agency's link and an appraiser's session are refused; then the coordinator edits
 * the conclusions (typed decomposed, stored NFC; too long is refused in Vietnamese), issues the report
 * through the confirmation step, sees its number, and downloads the issued .docx. The edits and the issue
 * go to the report's own workflow (workflows/compiled-report.ts), started as the round's close starts it.
 * Screenshots go to test-output/screenshots/reports-*.png.
 */
const P = 'qd-925-thai-binh';
const ROUND_ID = `${P}:2015-Q1`;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const reportsDir = mkdtempSync(path.join(os.tmpdir(), 'kybao-reports-'));

describe('the Reports section in a real browser', () => {
  const bed = useWebBed({ startAt: '2015-03-30T09:00:00+07:00', env: { KYBAO_SESSION_HOURS: '720', KYBAO_REPORTS_DIR: reportsDir } });
  const browser = useBrowser({ viewport: DESKTOP, acceptDownloads: true });

  beforeAll(async () => {
    const { world } = bed();
    const db = world.db;
    const program = world.program;
    const form = program.forms!['quarterly-report']!;
    await upsertRound(db, { id: ROUND_ID, programId: P, year: 2015, kind: 'quarterly-report', title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015 report' }, deadline: Q1_DUE, openedAt: '2015-02-16T01:00:00Z' });
    await upsertObligations(db, { roundId: ROUND_ID, obligations: REPORTS.map((r) => ({ unitId: r.unitId, dueAt: Q1_DUE })), at: '2015-02-16T01:00:00Z' });
    for (const r of REPORTS) {
      if (r.at === null) continue;
      const unit = program.units.find((u) => u.id === r.unitId)!;
      const parsed = validateFormData(form, unit, formOf(r, unit.name.vi));
      if (!parsed.ok) throw new Error(`${r.unitId}: ${parsed.problems.join('; ')}`);
      await recordSubmission(db, { roundId: ROUND_ID, unitId: r.unitId, submittedBy: unit.contact.email, submittedAt: r.at, fileRef: `bao-cao-${r.unitId}.pdf`, formData: parsed.data });
    }
    await setObligationStatus(db, { roundId: ROUND_ID, unitId: 'ubnd-vu-thu', status: 'missing', at: '2015-03-30T01:00:00Z' });
    await closeRound(db, { roundId: ROUND_ID, result: { closedBy: 'test' }, closedAt: '2015-03-30T01:00:00Z' });
    // What the round's close does (roundWorkflow → compileRoundReport), at 09:00 on 30 March.
    const compilation = createCompilationActivities({ db, env: world.env });
    const compiled = await compilation.compileRoundReport({ programId: P, roundId: ROUND_ID, compiledAt: '2015-03-30T02:00:00.000Z' });
    // A second report, so the list has an order and pages: the year's (so far Q1 only), five minutes later.
    expect(await compilation.compileYearReport({ programId: P, year: 2015, compiledAt: '2015-03-30T02:05:00.000Z' })).toMatchObject({ id: `${P}:year-2015`, status: 'draft' });
    expect(compiled).toMatchObject({ id: ROUND_ID, revision: 1, outcome: 'created', status: 'draft' });
    // …and the coordinator's obligation the round then starts: the report's own workflow, which takes the edits and the issue.
    const { env, taskQueue } = bed();
    const handle = await env.client.workflow.start(compiledReportWorkflow, { taskQueue, workflowId: compiledReportWorkflowId(ROUND_ID), args: [{ reportId: ROUND_ID, programId: P, roundId: ROUND_ID }] });
    for (let i = 0; i < 200 && (await handle.query(reportStatusQuery)).phase !== 'draft'; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await handle.query(reportStatusQuery)).dueAt).toBe('2015-04-09T00:00:00+07:00');
  }, 120_000);
  afterAll(() => {
    rmSync(reportsDir, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => browser.shot(page, `reports-${name}`);
  const reportPath = `/reports/${encodeURIComponent(ROUND_ID)}`;

  const signIn = (page: Page, who: keyof WebBed['users']) => browser.signIn(page, bed(), who);

  it('shows the coordinator the list and the report’s figures, and the .docx downloads and opens', async () => {
    const page = await browser.context().newPage();
    await signIn(page, 'coordinator');
    await Promise.all([page.waitForURL(/\/reports$/), page.click('[data-test=nav-reports]')]);
    await expect(page.locator('[data-test=reports] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-report')))).resolves.toEqual([`${P}:year-2015`, ROUND_ID]);
    const row = page.locator(`[data-test=reports] tr[data-report="${ROUND_ID}"]`);
    const cells = await row.locator('td').allInnerTexts();
    // period, status, revision, compiled at, due (10 working days after 25 March: before 9 April), number
    expect(cells.slice(0, 6)).toEqual(['2015-Q1\nquý I năm 2015', 'dự thảo', '1', '30/03/2015 09:00', '09/04/2015 00:00', '–']);
    await shot(page, '01-list');

    await Promise.all([page.waitForURL(new RegExp(`${reportPath.replace(/[%]/g, '\\%')}$`)), row.locator('a').first().click()]);
    await expect(page.locator('[data-test=totals]').innerText()).resolves.toBe(['Toàn tỉnh', '26', '22', '3', '1', '96,2%', '84,6%'].join('\t'));
    await expect(page.locator('[data-test=compliance] tr[data-category=district]').innerText()).resolves.toBe(['UBND huyện, thành phố', '8', '6', '1', '1', '87,5%', '75,0%'].join('\t'));
    await expect(page.locator('[data-test=missing] li').allInnerTexts()).resolves.toEqual(['Ủy ban nhân dân huyện Vũ Thư']);
    // Province sums, exact: events 19 + 10 + 6 + 5; VND 610,000,000 + 207,500,000 + 40,000,000 + 120,000,000.
    await expect(page.locator('[data-test=indicators] tr[data-indicator=su-kien] [data-test=value]').innerText()).resolves.toBe('40');
    await expect(page.locator('[data-test=indicators] tr[data-indicator=kinh-phi-da-chi] [data-test=value]').innerText()).resolves.toBe('977.500.000');
    // A list indicator shows what was listed, in program order (Sở TT&TT, Sở VHTTDL, Báo Thái Bình).
    await expect(page.locator('[data-test=indicators] tr[data-indicator=su-kien-noi-bat] [data-test=value] li').allInnerTexts()).resolves.toEqual([
      'Hội nghị báo chí quý I',
      'Lễ hội Đền Trần Thái Bình',
      'Chuyên trang quảng bá du lịch',
    ]);
    await expect(page.locator('[data-test=edit-form] textarea[name=introduction]').inputValue()).resolves.toMatch(/^Thực hiện Quyết định số 925\/QĐ-UBND ngày 06\/5\/2014/);
    await shot(page, '02-report');

    // On a phone: nothing wider than the screen (tables scroll inside their card).
    await page.setViewportSize(PHONE);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await shot(page, '03-report-phone');
    await page.setViewportSize(DESKTOP);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=docx]')]);
    expect(download.suggestedFilename()).toBe('Báo cáo quý I năm 2015 (dự thảo, lần 1).docx');
    const file = path.join(reportsDir, 'downloaded.docx');
    await download.saveAs(file);
    const docx = await DocxFile.open(readFileSync(file));
    expect([...docx.files].some(([name, xml]) => name.startsWith('word/header') && xml.includes('DỰ THẢO'))).toBe(true);
    expect(docx.tables()[0]![0]![0]).toBe('UBND TỈNH THÁI BÌNH\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n\nSố:        /BC-STTTT');
    expect(docx.paragraph('BÁO CÁO').runs[0]).toMatchObject({ bold: true });
    await page.close();
  });

  it('serves the downloads with their type and an RFC 5987 file name, to reading roles only', async () => {
    const { url, users } = bed();
    const token = async (who: 'coordinator' | 'auditor' | 'appraiser') =>
      ((await (await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(users[who]) })).json()) as { token: string }).token;
    const auditor = { authorization: `Bearer ${await token('auditor')}` };
    const res = await fetch(`${url}/api/compiled-reports/${encodeURIComponent(ROUND_ID)}/xlsx`, { headers: auditor });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="Bao cao quy I nam 2015 (du thao, lan 1).xlsx"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20qu%C3%BD%20I%20n%C4%83m%202015%20%28d%E1%BB%B1%20th%E1%BA%A3o%2C%20l%E1%BA%A7n%201%29.xlsx`,
    );
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');

    type List = { total: number; offset: number; reports: Array<{ id: string; scope: string; status: string; dueAt: string | null; overdue: boolean }> };
    const page = async (q: string) => (await (await fetch(`${url}/api/compiled-reports?${q}`, { headers: auditor })).json()) as List;
    // Newest first, a page at a time: the year's report (compiled last, no due date), then Q1's.
    expect(await page('year=2015&limit=1')).toEqual({ total: 2, offset: 0, reports: [expect.objectContaining({ id: `${P}:year-2015`, scope: 'year', status: 'draft', dueAt: null, overdue: false })] });
    expect(await page('year=2015&limit=1&offset=1')).toEqual({ total: 2, offset: 1, reports: [expect.objectContaining({ id: ROUND_ID, scope: 'round', status: 'draft', dueAt: '2015-04-09T00:00:00+07:00', overdue: false })] });
    expect((await page('year=2016')).total).toBe(0);

    const appraiser = { authorization: `Bearer ${await token('appraiser')}` };
    for (const p of ['/api/compiled-reports', `/api/compiled-reports/${encodeURIComponent(ROUND_ID)}`, `/api/compiled-reports/${encodeURIComponent(ROUND_ID)}/docx`]) {
      expect((await fetch(`${url}${p}`, { headers: appraiser })).status).toBe(403);
      expect((await fetch(`${url}${p}`)).status).toBe(401);
    }
    const link = new URL((await issueLink(bed().world.db, bed().c.env, bed().world.program, ROUND_ID, 'so-khdt')).url);
    const agency = { authorization: `Bearer ${link.searchParams.get('t')}` };
    const refused = await fetch(`${url}/api/compiled-reports/${encodeURIComponent(ROUND_ID)}/docx`, { headers: agency });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('agency link');
    expect((await fetch(`${url}/reports?t=${link.searchParams.get('t')}`)).status).toBe(403);
    // Nor may they, or an appraiser, write: 403 before anything reaches the report's workflow.
    const issue = { method: 'POST', body: JSON.stringify({ number: 1, signer: { title: ['GIÁM ĐỐC'], name: 'A' } }) };
    expect((await fetch(`${url}/api/compiled-reports/${encodeURIComponent(ROUND_ID)}/issue`, { ...issue, headers: { ...agency, 'content-type': 'application/json' } })).status).toBe(403);
    expect((await fetch(`${url}/api/compiled-reports/${encodeURIComponent(ROUND_ID)}/issue`, { ...issue, headers: { ...appraiser, 'content-type': 'application/json' } })).status).toBe(403);
    expect((await fetch(`${url}/api/compiled-reports/${encodeURIComponent(ROUND_ID)}/issue`, { ...issue, headers: { ...auditor, 'content-type': 'application/json' } })).status).toBe(403);
  });

  it('shows the auditor the same pages without a form', async () => {
    const page = await browser.context().newPage();
    await signIn(page, 'auditor');
    await page.goto(`${bed().url}/reports`);
    await expect(page.locator(`[data-test=reports] tr[data-report="${ROUND_ID}"] [data-test=status]`).innerText()).resolves.toBe('dự thảo');
    await page.goto(`${bed().url}${reportPath}`);
    await expect(page.locator('[data-test=totals]').innerText()).resolves.toContain('26');
    // Only the header's sign-out form: no edit, issue or recompile form.
    await expect(page.locator('main form').count()).resolves.toBe(0);
    await expect(page.locator('[data-test=introduction]').innerText()).resolves.toMatch(/^Thực hiện Quyết định số 925/);
    await shot(page, '04-auditor');
    // A POST with a valid CSRF token (the sign-out form's) is still refused: auditors change nothing.
    const token = await page.locator('header input[name=_csrf]').inputValue();
    for (const action of ['texts', 'issue', 'recompile']) {
      const res = await page.request.post(`${bed().url}${reportPath}/${action}`, { form: { _csrf: token, conclusions: 'x', introduction: 'y', number: '5', signerTitle: 'GIÁM ĐỐC', signerName: 'A', confirm: 'yes' }, maxRedirects: 0 });
      expect(res.status()).toBe(403);
    }
    await page.close();
    const row = await bed().world.db.compiledReport.findUnique({ where: { id: ROUND_ID } });
    expect(row).toMatchObject({ status: 'draft', conclusions: '' });
  });

  it('lets the coordinator edit the conclusions, issue the report and download the issued .docx', async () => {
    const page = await browser.context().newPage();
    await signIn(page, 'coordinator');
    await page.goto(`${bed().url}${reportPath}`);
    // A form posted without its CSRF token (from another site) is refused and changes nothing.
    expect((await page.request.post(`${bed().url}${reportPath}/texts`, { form: { conclusions: 'giả mạo' }, maxRedirects: 0 })).status()).toBe(403);

    // Too long: refused on the page, in Vietnamese, the text kept in the form.
    // (The textarea's maxlength stops a browser typing more; the server checks for clients that do not.)
    await page.evaluate(`document.querySelector('[data-test=edit-form] textarea[name=conclusions]').removeAttribute('maxlength')`);
    await page.fill('[data-test=edit-form] textarea[name=conclusions]', 'x'.repeat(20_001));
    const refused = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/texts')), page.click('[data-test=edit-form] button[type=submit]')]);
    expect(refused[0].status()).toBe(400);
    await expect(page.locator('[role=alert]').innerText()).resolves.toBe('Không thực hiện được: Phần "Kết luận, kiến nghị" dài 20.001 ký tự; tối đa 20.000 ký tự, hãy rút ngắn.');
    await expect(page.locator('[data-test=edit-form] textarea[name=conclusions]').inputValue()).resolves.toHaveLength(20_001);

    const conclusions = 'Đề nghị UBND tỉnh chỉ đạo UBND huyện Vũ Thư gửi báo cáo đúng hạn.';
    await page.fill('[data-test=edit-form] textarea[name=conclusions]', conclusions.normalize('NFD'));
    await Promise.all([page.waitForURL(/done=1/), page.click('[data-test=edit-form] button[type=submit]')]);
    await expect(page.locator('[data-test=edit-form] textarea[name=conclusions]').inputValue()).resolves.toBe(conclusions);
    expect((await bed().world.db.compiledReport.findUnique({ where: { id: ROUND_ID } }))!.conclusions).toBe(conclusions);

    // The report is the coordinator's obligation: a day later (31 March, 09:00) its first reminder has gone,
    // 7 working days before the day it is due (Thursday 9 April).
    await expect(page.locator('[data-test=obligation]').innerText()).resolves.toContain('Chưa gửi thông báo nào.');
    await bed().skipTo(Date.parse('2015-03-31T09:00:00+07:00'));
    let reminders: string[] = [];
    for (let i = 0; i < 100 && reminders.length === 0; i++) {
      await page.goto(`${bed().url}${reportPath}`);
      reminders = await page.locator('[data-test=obligation] li[data-kind=reminder]').allInnerTexts();
      if (reminders.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(reminders).toEqual(['31/03/2015 08:00 Nhắc hạn ban hành']);

    // A late report arrives (Vũ Thư, 31 March 08:00); recompiling takes it in and keeps the conclusions.
    const { world } = bed();
    const vuThu = world.program.units.find((u) => u.id === 'ubnd-vu-thu')!;
    const late = validateFormData(world.program.forms!['quarterly-report']!, vuThu, formOf({ ...REPORTS.find((r) => r.unitId === 'ubnd-vu-thu')!, figures: [2, 0, 3, 10_000_000, 12.5], tasks: [12] }, vuThu.name.vi));
    if (!late.ok) throw new Error(late.problems.join('; '));
    await recordSubmission(world.db, { roundId: ROUND_ID, unitId: 'ubnd-vu-thu', submittedBy: vuThu.contact.email, submittedAt: '2015-03-31T01:00:00.000Z', formData: late.data });
    await Promise.all([page.waitForURL(/done=1/), page.click('[data-test=recompile] button[type=submit]')]);
    await expect(page.locator('[data-test=revision]').innerText()).resolves.toBe('2');
    await expect(page.locator('[data-test=totals]').innerText()).resolves.toBe(['Toàn tỉnh', '26', '22', '4', '0', '100,0%', '84,6%'].join('\t'));
    await expect(page.locator('[data-test=missing] li').count()).resolves.toBe(0);
    await expect(page.locator('[data-test=indicators] tr[data-indicator=su-kien] [data-test=value]').innerText()).resolves.toBe('42');
    await expect(page.locator('[data-test=edit-form] textarea[name=conclusions]').inputValue()).resolves.toBe(conclusions);

    // Issue: the form, the confirmation, then the number on the page.
    await page.fill('[data-test=issue-form] input[name=number]', '5');
    await page.fill('[data-test=issue-form] textarea[name=signerTitle]', 'KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC');
    await page.fill('[data-test=issue-form] input[name=signerName]', 'Nguyễn Văn Bình');
    await Promise.all([page.waitForSelector('[data-test=confirm-issue]'), page.click('[data-test=issue-form] button[type=submit]')]);
    await expect(page.locator('[data-test=confirm-number]').innerText()).resolves.toBe('05/BC-STTTT');
    await shot(page, '05-confirm-issue');
    expect((await bed().world.db.compiledReport.findUnique({ where: { id: ROUND_ID } }))!.status).toBe('draft');
    await Promise.all([page.waitForURL(/done=1/), page.click('[data-test=confirm-form] button[type=submit]')]);
    await expect(page.locator('[data-test=number]').innerText()).resolves.toBe('05/BC-STTTT');
    await expect(page.locator('[data-test=report-head] [data-test=status]').innerText()).resolves.toBe('đã ban hành');
    await expect(page.locator('[data-test=signer]').innerText()).resolves.toBe('KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nNguyễn Văn Bình');
    await expect(page.locator('main form').count()).resolves.toBe(0);
    await shot(page, '06-issued');
    await page.goto(`${bed().url}/reports`);
    await expect(page.locator(`[data-test=reports] tr[data-report="${ROUND_ID}"] [data-test=number]`).innerText()).resolves.toBe('05/BC-STTTT');

    // The workflow renders the issued documents once (…/2015-Q1.so-05.docx); the download is that file, byte for byte.
    let stored = await bed().world.db.compiledReport.findUnique({ where: { id: ROUND_ID } });
    for (let i = 0; i < 100 && !stored?.docxRef?.endsWith('2015-Q1.so-05.docx'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      stored = await bed().world.db.compiledReport.findUnique({ where: { id: ROUND_ID } });
    }
    expect(stored!.docxRef).toMatch(/2015-Q1\.so-05\.docx$/);
    await page.goto(`${bed().url}${reportPath}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=docx]')]);
    expect(download.suggestedFilename()).toBe('Báo cáo quý I năm 2015 (số 05-BC-STTTT).docx');
    const file = path.join(reportsDir, 'issued.docx');
    await download.saveAs(file);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(stored!.docxSha256);
    const docx = await DocxFile.open(readFileSync(file));
    expect([...docx.files].some(([name, xml]) => name.startsWith('word/header') && xml.includes('DỰ THẢO'))).toBe(false);
    expect(docx.tables()[0]![0]![0]).toBe('UBND TỈNH THÁI BÌNH\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n\nSố: 05/BC-STTTT');
    expect(docx.paragraph(conclusions).text).toBe(conclusions);
    expect(docx.paragraphs().some((p) => p.text === 'Nguyễn Văn Bình')).toBe(true);

    // Issued: the API refuses an edit, in words.
    const session = (await (await fetch(`${bed().url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bed().users.coordinator) })).json()) as { token: string };
    const edit = await fetch(`${bed().url}/api/compiled-reports/${encodeURIComponent(ROUND_ID)}`, { method: 'PATCH', headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ conclusions: 'khác' }) });
    expect(edit.status).toBe(409);
    expect(((await edit.json()) as { error: { message: string } }).error.message).toMatch(/issued as number 05\/BC-STTTT/);

    // The year's report has no workflow to issue it: no forms, a note why; a post is refused in the user's language.
    const yearPath = `/reports/${encodeURIComponent(`${P}:year-2015`)}`;
    await page.goto(`${bed().url}${yearPath}?lang=en`);
    await expect(page.locator('[data-test=no-workflow]').innerText()).resolves.toMatch(/^This report has no running workflow/);
    await expect(page.locator('main form').count()).resolves.toBe(0);
    const token = await page.locator('header input[name=_csrf]').inputValue();
    const refusedEdit = await page.request.post(`${bed().url}${yearPath}/texts`, { form: { _csrf: token, introduction: 'Mở đầu', conclusions: 'Kết luận' }, maxRedirects: 0 });
    expect(refusedEdit.status()).toBe(409);
    expect(await refusedEdit.text()).toMatch(/<strong>Could not do that:<\/strong> Refused: report qd-925-thai-binh:year-2015 has no running workflow/);
    await page.close();
  });
});
