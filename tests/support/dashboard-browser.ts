/**
 * The dashboard's Chromium tests share this: Debian's chromium driven by playwright-core (the
 * flags that make it run headless as root, MACHINE.md), one page, full-page screenshots kept as
 * test artifacts under test-artifacts/<name>/, and clicking an app page's tab.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface DashboardBrowser {
  browser: Browser;
  page: Page;
  /** Saves a full-page screenshot as test-artifacts/<artifacts>/<name>.png. */
  shot(name: string): Promise<void>;
  /** Clicks an app page's tab and waits until it is the active one. */
  tab(label: string): Promise<void>;
}

export async function openDashboardBrowser(artifacts: string, viewport = { width: 1280, height: 860 }): Promise<DashboardBrowser> {
  const dir = path.join(ROOT, 'test-artifacts', artifacts);
  await fs.mkdir(dir, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(60_000);
  return {
    browser,
    page,
    shot: async (name) => void (await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true })),
    async tab(label) {
      // A click that lands while the page redraws (a CI run lost one after a navigation, once in
      // many runs) is clicked again, as a person would; three unanswered clicks fail, with a picture.
      for (let attempt = 1; ; attempt++) {
        await page.click(`nav.tabs >> text=${label}`);
        const active = await page.waitForSelector(`nav.tabs a.active:has-text("${label}")`, { timeout: 15_000 }).then(() => true, () => false);
        if (active) return;
        if (attempt === 3) {
          await page.screenshot({ path: path.join(dir, `tab-${label}-not-active.png`), fullPage: true });
          throw new Error(`the ${label} tab did not become active after 3 clicks (see tab-${label}-not-active.png); the page shows: ${(await page.textContent('body'))?.slice(0, 300)}`);
        }
      }
    },
  };
}
