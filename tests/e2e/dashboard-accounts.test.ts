/**
 * Issue 19 in the dashboard, in real headless Chromium (playwright-core, Debian's chromium),
 * against the real API in-process (api/test-api.ts; the dashboard is bundled from source):
 * sign in with email and password, switch teams, see members, invite, read the audit log.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../api/test-api.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let api: TestApi;
let browser: Browser;
let page: Page;

async function call(method: string, route: string, token: string | undefined, body?: unknown) {
  const res = await fetch(`${api.base}/api/v1${route}`, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json() as Promise<Record<string, any>>;
}

beforeAll(async () => {
  api = await startTestApi();
  const owner = await call('POST', '/auth/signup', undefined, { email: 'ada@example.com', password: 'a long password' });
  await call('POST', '/teams', owner.accessToken, { name: 'acme' });
  await call('POST', '/apps', owner.accessToken, { name: 'shop', team: 'acme' });
  await call('POST', '/apps', owner.accessToken, { name: 'legacy' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(60_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('people and teams in the dashboard', () => {
  it('signs in with email and password, refusing a wrong one', async () => {
    await page.goto(`${api.base}/`);
    await page.fill('input[name=email]', 'ada@example.com');
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[name=password-sign-in]');
    await page.waitForSelector('[data-testid=password-error]:has-text("wrong email or password")');
    await page.fill('input[name=password]', 'a long password');
    await page.click('button[name=password-sign-in]');
    await page.waitForSelector('tr[data-app=shop]');
    expect(await page.isVisible('tr[data-app=legacy]')).toBe(true);
  });

  it('switches to a team and shows only its apps', async () => {
    await page.waitForSelector('select[name=team] option[value=acme]', { state: 'attached' });
    await page.selectOption('select[name=team]', 'acme');
    await page.waitForFunction(() => document.querySelector('select[name=team]') !== null && (document.querySelector('select[name=team]') as HTMLSelectElement).value === 'acme');
    await page.waitForSelector('tr[data-app=shop]');
    expect(await page.locator('tr[data-app=legacy]').count()).toBe(0);
  });

  it('shows the members, mails an invitation, and lists it in the audit log', async () => {
    await page.click('header a[href="#/team"]');
    await page.waitForSelector('tr[data-member="ada@example.com"]:has-text("owner")');
    await page.fill('input[name=invite-email]', 'bob@example.com');
    await page.selectOption('select[name=invite-role]', 'viewer');
    await page.click('form:has(input[name=invite-email]) button[type=submit]');
    await page.waitForSelector('[data-testid=invited]:has-text("Invitation mailed to bob@example.com (viewer)")');
    await page.waitForSelector('tr[data-audit="member.invite"]:has-text("bob@example.com as viewer")');
    expect(await page.textContent('tr[data-audit="app.create"]')).toContain('shop');
  });
});
