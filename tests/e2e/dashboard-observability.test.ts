/**
 * Issue 18's dashboard views in real headless Chromium (Debian's chromium, driven by
 * playwright-core), on one app pushed with `git push` to a real `devflow up` (process runtime)
 * and real traffic through its router: metrics charts, the trace list and waterfall, log search,
 * error groups with a sample trace, alert rules. The app (tests/fixtures/traced-shop.js) exports
 * its own spans over OTLP with the variables DevFlow gives it (and opts out of the zero-config
 * agent), so its spans nest under the router's. The charts are uPlot's canvases: the test counts
 * the pixels in the line's colour and reads the release markers over them. Every request the page
 * makes is recorded: all go to DevFlow's own origin, under its Content-Security-Policy. The
 * metrics view also draws the restarts per process type, the app database's figures and one of
 * the app's own metrics (its /metrics endpoint, scraped by DevFlow), chosen from a list.
 * Screenshots go to test-artifacts/dashboard-observability/.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw } from '../support/api-client.js';
import { linePixels, releaseMarkers } from '../support/chart-pixels.js';
import { openDashboardBrowser, type DashboardBrowser } from '../support/dashboard-browser.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample } from '../support/git.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LONG = { timeout: 180_000 };
/** The requests sent through the router, each once. */
const TRAFFIC = ['/', '/cart', '/slow', '/boom', '/boom', '/slow'];

let devflow: DevflowProcess;
let ui: DashboardBrowser;
let page: Page;
/** Every URL the page asked for, and what Chromium said about the policy. */
const requested: string[] = [];
const policyMessages: string[] = [];

beforeAll(async () => {
  // The metrics pass every 5 s instead of every minute: the charts have the traffic's minute
  // (still one row per minute) by the time their tab opens, not up to 60 s later.
  devflow = await startDevflowProcess({ runtime: 'process', env: { DEVFLOW_METRICS_EVERY_SECONDS: '5' } });
  const call = (method: string, route: string, body?: unknown) => raw(method, `${devflow.api}/api/v1${route}`, { token: devflow.token, body });
  expect((await call('POST', '/apps', { name: 'shop' })).status).toBe(201);
  expect((await call('POST', '/apps/shop/telemetry', { sample: 1 })).status).toBe(201);
  // The app exports spans of its own, as an app with its own SDK does: it opts out of DevFlow's
  // zero-config agent, whose spans the agent's own e2e test (telemetry-agent.test.ts) checks.
  // Its own Prometheus endpoint is scraped too (tests/fixtures/traced-shop.js /metrics).
  expect((await call('PATCH', '/apps/shop/config', { OTEL_NODE_AGENT: 'off', DEVFLOW_METRICS_PATH: '/metrics' })).status).toBe(200);
  const repo = await repoFromExample(path.join(ROOT, 'examples', 'node-hello'));
  await repo.write('server.js', await fs.readFile(path.join(ROOT, 'tests/fixtures/traced-shop.js'), 'utf8'));
  await repo.commit('a shop that exports its spans');
  const push = await pushTo(repo, devflow, 'shop');
  expect(push.exitCode, push.stderr).toBe(0);
  for (const route of TRAFFIC) {
    const res = await raw('GET', `http://127.0.0.1:${devflow.httpPort}${route}`, { headers: { host: `shop.localhost:${devflow.httpPort}` } });
    expect(res.status).toBe(route === '/boom' ? 500 : 200);
  }
  ui = await openDashboardBrowser('dashboard-observability', { width: 1280, height: 900 });
  page = ui.page;
  page.on('request', (request) => void requested.push(request.url()));
  page.on('console', (message) => void (/Content Security Policy/i.test(message.text()) && policyMessages.push(message.text())));
  await page.goto(`${devflow.api}/`);
  await page.fill('input[name=token]', devflow.token);
  await page.click('button[name=token-sign-in]');
  await page.waitForSelector('tr[data-app=shop]');
  await page.click('a[href="#/apps/shop"]');
}, 600_000);
afterAll(async () => {
  await ui?.browser.close();
  await devflow?.stop();
  await cleanupRuntime(devflow?.home);
});

describe('observability in the dashboard', () => {
  it("lists the traces and opens one as a waterfall: the app's spans nested under the router's", async () => {
    await ui.tab('Traces');
    await page.waitForSelector('tr[data-trace]:has-text("GET /boom") .badge[data-state=error]', LONG);
    // The app's spans arrive a moment after the router's: wait until the list has both /slow requests.
    await page.waitForFunction(() => [...document.querySelectorAll('tr[data-trace]')].filter((r) => r.textContent?.includes('GET /slow')).length === 2, undefined, LONG);
    await ui.shot('01-traces');
    await page.click('tr[data-trace]:has-text("GET /slow") a');
    await page.waitForSelector('[data-testid=waterfall] [data-depth="2"]', LONG);
    const rows = await page.$$eval('[data-testid=waterfall] [data-span]', (els) => els.map((e) => `${e.getAttribute('data-depth')} ${e.firstElementChild?.textContent}`));
    expect(rows).toEqual(['0 GET /slow devflow-router', '1 GET /slow shop', '2 SELECT cart shop']);
    await page.click('[data-testid=waterfall] [data-depth="2"]');
    expect(await page.textContent('[data-attribute="db.statement"] td')).toBe('SELECT * FROM cart');
    await ui.shot('02-waterfall');
    await page.click('[data-testid=waterfall] [data-depth="0"]');
    expect(await page.textContent('[data-attribute="url.path"] td')).toBe('/slow');
    expect(await page.textContent('[data-attribute="http.response.status_code"] td')).toBe('200');
  });

  it('searches the logs with the query language over a time range, and says where a bad query is wrong', async () => {
    await ui.tab('Log search');
    await page.fill('input[name=log-query]', 'level:error status>=500 "timeout"');
    await page.fill('input[name=log-since]', '2h');
    await page.check('input[name=log-live]');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-log-line]').length === 2, undefined, LONG);
    await page.uncheck('input[name=log-live]');
    for (const line of await page.$$eval('tr[data-log-line]', (els) => els.map((e) => e.textContent ?? ''))) {
      expect(line).toMatch(/web\.1.*"msg":"timeout talking to the payment service"/);
    }
    await ui.shot('03-log-search');
    await page.fill('input[name=log-since]', '30d');
    await page.fill('input[name=log-until]', '1d');
    await page.click('button[name=log-search]');
    await page.waitForSelector('[data-testid=log-count]:has-text("0 lines")');
    await page.fill('input[name=log-query]', 'level:error status>=');
    await page.click('button[name=log-search]');
    expect(await page.textContent('[role=alert]', { timeout: 30_000 })).toBe('query: expected a value after "status>=" (at column 21)');
  });

  it('groups the exceptions with their count and last seen, linking a sample trace', async () => {
    await ui.tab('Errors');
    await page.waitForSelector('tr[data-error-group]:has-text("TypeError") td[data-count="2"]', LONG);
    expect(await page.textContent('tr[data-error-group] summary')).toBe('TypeError: cart is empty');
    expect(await page.textContent('tr[data-error-group] td[data-last-seen]')).toMatch(/s ago|m ago/);
    await ui.shot('04-errors');
    await page.click('tr[data-error-group] a[data-sample-trace]');
    await page.waitForSelector('[data-testid=waterfall] [data-depth="0"]', LONG);
    expect(await page.textContent('[data-testid=waterfall] [data-depth="0"]')).toContain('GET /boom');
    await page.goBack();
  });

  it('adds an alert rule, refuses a wrong one with its reason, and removes it', async () => {
    await ui.tab('Alerts');
    await page.waitForSelector('text=No alert rules.');
    await page.fill('input[name=alert-if]', '5xx_rate > 5% for 5m');
    await page.fill('input[name=alert-notify]', 'mailto:ops@example.com');
    await page.click('button[name=alert-add]');
    await page.waitForSelector('tr[data-alert]:has-text("5xx_rate > 5% for 5m"):has-text("mailto:ops@example.com")');
    await page.fill('input[name=alert-if]', '5xx_rate > 5 for 5m');
    await page.fill('input[name=alert-notify]', 'mailto:ops@example.com');
    await page.click('button[name=alert-add]');
    expect(await page.textContent('[role=alert]')).toMatch(/5xx_rate/);
    await ui.shot('05-alerts');
    await page.click('tr[data-alert] button[data-remove-alert]');
    await page.waitForSelector('text=No alert rules.');
  });

  it('charts the metrics the API returns, with a marker at the release', async () => {
    await ui.tab('Metrics');
    // The router's counters are rolled up every 5 s here (DEVFLOW_METRICS_EVERY_SECONDS); the panel redraws every 30 seconds.
    await page.waitForFunction((n) => document.querySelector('td[data-summary=requests]')?.textContent === String(n), TRAFFIC.length, { timeout: 240_000 });
    for (const series of ['requests', 'p95Ms', 'rate5xx']) {
      expect(await page.locator(`figure[data-chart=${series}] canvas`).count()).toBe(1);
      // The minute with the traffic is drawn (a line, or a dot when it is the only minute).
      expect(await linePixels(page, series)).toBeGreaterThan(0);
    }
    expect(await releaseMarkers(page, 'requests')).toEqual([{ label: 'v1', inside: true }]);
    expect(await page.textContent('td[data-summary=rate5xx]')).toBe(`${Math.round((2 / TRAFFIC.length) * 1000) / 10}%`);
    expect(await page.textContent('figure[data-chart=requests] [data-latest]')).toMatch(/^latest \d+$/);
    await ui.shot('06-metrics');
  });

  it('charts the restarts per process type and the app database: connections, size, cache hit ratio', async () => {
    const web = page.locator('section[data-process-metrics=web]');
    expect(await web.locator('figure[data-chart=restarts] figcaption strong').textContent()).toBe('Restarts');
    expect(await web.locator('figure[data-chart=restarts] [data-latest]').textContent()).toBe('latest 0');
    // Sampled in the same pass as the router's rows; the panel redraws every 30 seconds.
    await page.waitForSelector('[data-testid=database-metrics] figure[data-chart=sizeMb]', LONG);
    const api = await raw('GET', `${devflow.api}/api/v1/apps/shop/metrics?since=1h`, { token: devflow.token });
    const rows = (api.json as { database: Array<{ connections: number; sizeBytes: number; cacheHitRatio: number | null }> }).database;
    const latest = rows.at(-1)!;
    for (const [series, label] of [['connections', 'Connections'], ['sizeMb', 'Size (MB)'], ['cacheHitPercent', 'Cache hit ratio (%)']]) {
      expect(await page.textContent(`[data-testid=database-metrics] figure[data-chart=${series}] figcaption strong`)).toBe(label);
    }
    expect(latest.sizeBytes).toBeGreaterThan(0);
    expect(await linePixels(page, 'sizeMb')).toBeGreaterThan(0);
    expect(await page.textContent('figure[data-chart=sizeMb] [data-latest]')).toMatch(/^latest \d+(\.\d+)?$/);
    // A ratio the API gave, in % (the chart was drawn from an answer at most one sample older than this one).
    const ratios = rows.filter((r) => r.cacheHitRatio !== null).map((r) => `latest ${Math.round(r.cacheHitRatio! * 10_000) / 100}`);
    expect(ratios.length === 0 ? ['no data'] : ratios).toContain(await page.textContent('figure[data-chart=cacheHitPercent] [data-latest]'));
    await ui.shot('07-restarts-database');
  });

  it("charts one of the app's own metrics, chosen from the list of those scraped from its /metrics", async () => {
    // Options of a closed select are never visible: attached is what the list has.
    await page.waitForSelector('select[name=custom-metric] option[value=shop_cart_items]', { ...LONG, state: 'attached' });
    expect(await page.$$eval('select[name=custom-metric] option', (els) => els.map((e) => e.textContent))).toEqual(
      ['choose…', 'shop_cart_items (value)', 'shop_orders_total (rate)'],
    );
    await page.selectOption('select[name=custom-metric]', 'shop_cart_items');
    await page.waitForSelector('figure[data-chart=custom-0] canvas', LONG);
    expect(await page.textContent('[data-testid=custom-reading]')).toBe('shop_cart_items (gauge): value, last of each step, 1-minute steps');
    // One series per instance: its label names what tells it apart, and its latest value is the gauge's.
    expect(await page.textContent('figure[data-chart=custom-0] figcaption strong')).toMatch(/service\.instance\.id=|devflow\.process\.type=web/);
    expect(await page.textContent('figure[data-chart=custom-0] [data-latest]')).toBe('latest 4');
    expect(await linePixels(page, 'custom-0')).toBeGreaterThan(0);
    await ui.shot('08-custom-metric');
  });

  it('loads nothing from elsewhere: every request the dashboard made went to DevFlow, under its Content-Security-Policy', async () => {
    const res = await fetch(`${devflow.api}/`);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self';/);
    const origin = new URL(devflow.api).origin;
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(policyMessages).toEqual([]);
  });
});
