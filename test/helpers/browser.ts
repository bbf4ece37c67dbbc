import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../cli/run';
import type { WebBed } from './web-bed';

/** Where the browser suites put their screenshots (test-output/ is kept by CI as an artifact). */
export const SHOTS = path.join(repoRoot, 'test-output', 'screenshots');

/** Chromium's flags for a quiet headless run on a CI machine: no sandbox (root in a container), no GPU, no background traffic. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserUse {
  /** The persistent context opened in beforeAll (one Chromium per test file). */
  context(): BrowserContext;
  /** A full-page screenshot to test-output/screenshots/<name>.png. */
  shot(page: Page, name: string): Promise<Buffer>;
  /** Signs a staff member of the web testbed in on `page` (cookies cleared first), waiting for their home page. */
  signIn(page: Page, bed: WebBed, who: keyof WebBed['users']): Promise<void>;
}

/**
 * Debian's headless Chromium (`/usr/bin/chromium`, or $KYBAO_CHROMIUM) for one test file: a persistent
 * context in a fresh profile folder opened in beforeAll with `viewport` (CSS pixels), closed and its
 * folder removed in afterAll. `acceptDownloads` lets a test read what a link downloads.
 */
export function useBrowser(options: { viewport: { width: number; height: number }; acceptDownloads?: boolean }): BrowserUse {
  let context: BrowserContext | undefined;
  let userData: string | undefined;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    userData = mkdtempSync(path.join(os.tmpdir(), 'kybao-chromium-'));
    context = await chromium.launchPersistentContext(userData, {
      executablePath: process.env.KYBAO_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport,
      ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
    });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });
  const use: BrowserUse = {
    context() {
      if (!context) throw new Error('the browser is opened in beforeAll; use it inside a test');
      return context;
    },
    shot: (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }),
    async signIn(page, bed, who) {
      await use.context().clearCookies();
      await page.goto(`${bed.url}/login`);
      await page.fill('input[name=email]', bed.users[who].email);
      await page.fill('input[name=password]', bed.users[who].password);
      await Promise.all([page.waitForURL(new RegExp(`/${who}`)), page.click('button[type=submit]')]);
    },
  };
  return use;
}
