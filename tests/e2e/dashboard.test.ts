/**
 * The dashboard in real headless Chromium (Debian's chromium, driven by playwright-core): sign
 * in with a token, watch a deploy started by `git push` appear and progress without a reload,
 * scale, set a config var (hidden until revealed), roll back, read runtime logs. Screenshots of
 * the main pages go to test-artifacts/dashboard/.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw } from '../support/api-client.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample } from '../support/git.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'test-artifacts', 'dashboard');
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const LONG = { timeout: 180_000 };

let devflow: DevflowProcess;
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const tab = async (name: string) => {
  await page.click(`nav.tabs >> text=${name}`);
  await page.waitForSelector(`nav.tabs a.active:has-text("${name}")`);
};

beforeAll(async () => {
  await fs.mkdir(SHOTS, { recursive: true });
  devflow = await startDevflowProcess({ runtime: 'process' });
  const created = await raw('POST', `${devflow.api}/api/v1/apps`, { token: devflow.token, body: { name: 'hello' } });
  expect(created.status).toBe(201);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(60_000);
});
afterAll(async () => {
  await browser?.close();
  await devflow?.stop();
  await cleanupRuntime(devflow?.home);
});

describe('the dashboard in Chromium', () => {
  it('asks for a token, refuses a wrong one, and signs in with the right one', async () => {
    await page.goto(`${devflow.api}/`);
    await page.waitForSelector('text=Sign in to DevFlow');
    await shot('01-sign-in');
    await page.fill('input[name=token]', 'dfl_wrong');
    await page.click('button[name=token-sign-in]');
    await page.waitForSelector('text=That token is not valid or has expired.');
    await page.fill('input[name=token]', devflow.token);
    await page.click('button[name=token-sign-in]');
    await page.waitForSelector('tr[data-app=hello]');
    expect(await page.textContent('tr[data-app=hello]')).toContain(`http://hello.localhost:${devflow.httpPort}/`);
    expect(await page.textContent('tr[data-app=hello] .badge')).toBe('new');
    await shot('02-apps');
  });

  it('shows a deploy started by git push appear and progress to live, without a reload', async () => {
    await page.click('a[href="#/apps/hello"]');
    await page.waitForSelector('text=No deployments yet');
    await page.waitForSelector('span.live:has-text("live")');
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const repo = await repoFromExample(path.join(ROOT, 'examples', 'node-hello'));
    const push = pushTo(repo, devflow, 'hello');
    await page.waitForSelector('tr[data-deployment]', LONG);
    await page.waitForFunction(() => document.querySelector('[data-testid=build-log]')?.textContent?.includes('-----> Building hello'), undefined, LONG);
    await page.waitForSelector('tr[data-deployment] .badge[data-state=succeeded]', LONG);
    await page.waitForFunction(() => document.querySelector('[data-testid=build-log]')?.textContent?.includes('v1 is live'), undefined, LONG);
    expect((await push).exitCode).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await page.waitForSelector('h1 .badge[data-state=running]');
    await shot('03-deployments');
  });

  it('scales the web process', async () => {
    await tab('Processes');
    await page.waitForSelector('tr[data-process=web]');
    await page.fill('input[name=replicas-web]', '2');
    await page.click('button[data-scale=web]');
    await page.waitForSelector('tr[data-process=web] td[data-replicas="2"]', LONG);
    await shot('04-processes');
  });

  it('sets a config var whose value stays hidden until revealed', async () => {
    await tab('Config');
    await page.fill('input[name=key]', 'GREETING');
    await page.fill('input[name=value]', 'hello from the dashboard');
    await page.click('form button[type=submit]');
    await page.waitForSelector('tr[data-var=GREETING]', LONG);
    expect(await page.textContent('[data-value=GREETING]')).toBe('••••••••');
    await shot('05-config');
    await page.click('tr[data-var=GREETING] >> text=Reveal');
    expect(await page.textContent('[data-value=GREETING]')).toBe('hello from the dashboard');
  });

  it('rolls back to the first release', async () => {
    await tab('Releases');
    await page.waitForSelector('button[data-rollback="1"]', LONG);
    const before = await page.locator('tr[data-release]').count();
    await page.click('button[data-rollback="1"]');
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-release]').length > n, before, LONG);
    const top = await page.textContent('tr[data-release]:first-child');
    expect(top).toContain('current');
    expect(top?.toLowerCase()).toContain('rollback');
    await shot('06-releases');
  });

  it('shows runtime logs with process names', async () => {
    await tab('Logs');
    await page.waitForFunction(() => document.querySelector('[data-testid=runtime-log]')?.textContent?.includes('node-hello listening'), undefined, LONG);
    expect(await page.textContent('[data-testid=runtime-log]')).toMatch(/web\.1: node-hello listening/);
    await shot('07-logs');
  });

  it('shows domains and previews', async () => {
    await tab('Domains');
    await page.waitForSelector('text=No custom domains.');
    await page.fill('input[name=domain]', 'www.example.com');
    await page.click('form button[type=submit]');
    await page.waitForSelector('tr[data-domain="www.example.com"] .badge', LONG);
    expect(await page.textContent('tr[data-domain="www.example.com"] .badge')).toMatch(/pending|failed|issued/);
    await shot('08-domains');
    await tab('Previews');
    await page.waitForSelector('text=/No previews|not available/');
    const repo = await repoFromExample(path.join(ROOT, 'examples', 'node-hello'));
    const pushed = await pushTo(repo, devflow, 'hello', 'HEAD:refs/heads/try-this');
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    await page.reload();
    await page.waitForSelector('tr[data-preview=try-this]', LONG);
    expect(await page.textContent('tr[data-preview=try-this]')).toContain(`http://try-this.hello.localhost:${devflow.httpPort}/`);
    await shot('09-previews');
    await page.click('tr[data-preview=try-this] button:has-text("Remove")');
    await page.waitForSelector('text=No previews: push a branch to get one.', LONG);
  });

  it('creates an app, refusing a bad name, and destroys it only when its name is typed again', async () => {
    await page.goto(`${devflow.api}/#/`);
    await page.waitForSelector('tr[data-app=hello]');
    await page.fill('input[name=app-name]', 'Bad_Name');
    await page.click('button:has-text("Create app")');
    await page.waitForSelector('[role=alert]:has-text("is invalid")');
    await page.fill('input[name=app-name]', 'made-here');
    await page.click('button:has-text("Create app")');
    await page.waitForSelector('tr[data-app=made-here]');
    expect(await page.textContent('[data-testid=created]')).toContain(`git push ${devflow.api}/made-here.git main`);
    await shot('10-app-created');

    await page.click('a[href="#/apps/made-here"]');
    await page.click('summary:has-text("Destroy this app")');
    await page.fill('input[name=confirm-name]', 'made-her');
    await page.click('button:has-text("Destroy app")');
    await page.waitForSelector('[role=alert]:has-text("to confirm")');
    const stillThere = await raw('GET', `${devflow.api}/api/v1/apps/made-here`, { token: devflow.token });
    expect(stillThere.status).toBe(200);
    await page.fill('input[name=confirm-name]', 'made-here');
    await page.click('button:has-text("Destroy app")');
    await page.waitForSelector('tr[data-app=hello]');
    expect(await page.$('tr[data-app=made-here]')).toBeNull();
    const gone = await raw('GET', `${devflow.api}/api/v1/apps/made-here`, { token: devflow.token });
    expect(gone.status).toBe(404);
  });
});
