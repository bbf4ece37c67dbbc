import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createCompilationActivities } from '../../activities/compilation';
import { issueLink } from '../../app/links';
import { validateFormData } from '../../domain/forms';
import { closeRound, recordSubmission, setObligationStatus, upsertObligations, upsertRound } from '../../infra/db/round-repository';
import { repoRoot } from '../cli/run';
import { DocxFile } from '../helpers/docx-reader';
import { useWebBed } from '../helpers/web-bed';
import { formOf, Q1_DUE, REPORTS } from '../reports/fixtures/quarter-2015-q1';

/**
 * The coordinator's compiled reports on the web (issue #15), in Debian's headless Chromium against a
 * real web app, SQLite and Temporal server: Q1 2015 of the default program (26 units, three late, Vũ
 * Thư missing; test/reports/fixtures) is compiled into a draft as the round's close does, on Monday
 * 30 March 2015 at 09:00 in Thái Bình. The coordinator finds it in the Reports section, reads its key
 * figures, downloads the .docx and reads it back; an auditor sees the same pages without a form and is
 * refused on POST; an agency's link and an appraiser's session are refused. Screenshots go to
 * test-output/screenshots/reports-*.png.
 */
const P = 'qd-925-thai-binh';
const ROUND_ID = `${P}:2015-Q1`;
const SHOTS = path.join(repoRoot, 'test-output', 'screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const reportsDir = mkdtempSync(path.join(os.tmpdir(), 'kybao-reports-'));

describe('the Reports section in a real browser', () => {
  const bed = useWebBed({ startAt: '2015-03-30T09:00:00+07:00', env: { KYBAO_SESSION_HOURS: '720', KYBAO_REPORTS_DIR: reportsDir } });
  let context: BrowserContext;
  let userData: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
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
    const compiled = await createCompilationActivities({ db, env: world.env }).compileRoundReport({ programId: P, roundId: ROUND_ID, compiledAt: '2015-03-30T02:00:00.000Z' });
    expect(compiled).toMatchObject({ id: ROUND_ID, revision: 1, outcome: 'created', status: 'draft' });

    userData = mkdtempSync(path.join(os.tmpdir(), 'kybao-chromium-'));
    context = await chromium.launchPersistentContext(userData, {
      executablePath: process.env.KYBAO_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: DESKTOP,
      acceptDownloads: true,
    });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
    rmSync(reportsDir, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `reports-${name}.png`), fullPage: true });
  const reportPath = `/reports/${encodeURIComponent(ROUND_ID)}`;

  async function signIn(page: Page, who: 'coordinator' | 'appraiser' | 'approver' | 'auditor'): Promise<void> {
    await context.clearCookies();
    await page.goto(`${bed().url}/login`);
    await page.fill('input[name=email]', bed().users[who].email);
    await page.fill('input[name=password]', bed().users[who].password);
    await Promise.all([page.waitForURL(new RegExp(`/${who}`)), page.click('button[type=submit]')]);
  }

  it('shows the coordinator the list and the report’s figures, and the .docx downloads and opens', async () => {
    const page = await context.newPage();
    await signIn(page, 'coordinator');
    await Promise.all([page.waitForURL(/\/reports$/), page.click('[data-test=nav-reports]')]);
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

    const list = (await (await fetch(`${url}/api/compiled-reports?year=2015`, { headers: auditor })).json()) as { total: number; reports: Array<{ id: string; status: string; dueAt: string; overdue: boolean }> };
    expect(list.total).toBe(1);
    expect(list.reports[0]).toMatchObject({ id: ROUND_ID, status: 'draft', dueAt: '2015-04-09T00:00:00+07:00', overdue: false });

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
  });

  it('shows the auditor the same pages without a form', async () => {
    const page = await context.newPage();
    await signIn(page, 'auditor');
    await page.goto(`${bed().url}/reports`);
    await expect(page.locator(`[data-test=reports] tr[data-report="${ROUND_ID}"] [data-test=status]`).innerText()).resolves.toBe('dự thảo');
    await page.goto(`${bed().url}${reportPath}`);
    await expect(page.locator('[data-test=totals]').innerText()).resolves.toContain('26');
    // Only the header's sign-out form: no edit, issue or recompile form.
    await expect(page.locator('main form').count()).resolves.toBe(0);
    await expect(page.locator('[data-test=introduction]').innerText()).resolves.toMatch(/^Thực hiện Quyết định số 925/);
    await shot(page, '04-auditor');
    await page.close();
  });
});
