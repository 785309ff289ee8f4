/**
 * Issue 20's billing leftovers end to end, on one app pushed with `git push` to a real
 * `devflow up` (process runtime): the Usage view in real headless Chromium (a team's and an
 * app's month: totals and one chart per figure, from the build and instance time the push
 * really used), and the build-minutes quota: a push past it is refused with a `remote:` line
 * naming the quota and the plan that lifts it, the running release untouched, and lifting the
 * plan lets the next push deploy. Screenshots go to test-artifacts/billing/.
 *
 * Two things are written into the ledger directly, and only as what a longer life would have
 * recorded: router traffic on the month's earlier days (so the chart has a shape; requests are
 * flushed once a minute, and days cannot be waited for), and a build phase lengthened to 100
 * minutes (the free plan's month of builds cannot be spent in a test).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linePixels } from '../support/chart-pixels.js';
import { openDashboardBrowser, type DashboardBrowser } from '../support/dashboard-browser.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = 'meter';

let db: TestDatabase;
let devflow: DevflowProcess;
let repo: Workdir;
let ui: DashboardBrowser;
let page: Page;
const body = async () => (await getViaRouter(devflow.httpPort, `${APP}.localhost`)).body;

beforeAll(async () => {
  // DevFlow migrates this database itself; the test reads it, and writes the two rows above.
  db = await createTestDatabase({ migrate: false });
  devflow = await startDevflowProcess({ runtime: 'process', env: { DATABASE_URL: db.url } });
  await devflow.cli(['teams:create', 'acme']);
  await devflow.cli(['apps:create', APP, '--team', 'acme']);
  repo = await repoFromExample(path.join(ROOT, 'examples', 'node-hello'));
  const [push] = await Promise.all([
    pushTo(repo, devflow, APP),
    (async () => {
      ui = await openDashboardBrowser('billing', { width: 1280, height: 1000 });
      page = ui.page;
    })(),
  ]);
  expect(push.exitCode, push.stderr).toBe(0);
  const [team] = await db.sql<Array<{ id: number }>>`SELECT id FROM teams WHERE name = 'acme'`;
  const [app] = await db.sql<Array<{ id: number }>>`SELECT id FROM apps WHERE name = ${APP}`;
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  for (let day = 1; day < today.getUTCDate(); day++) {
    const hour = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), day, 12));
    await db.sql`INSERT INTO usage_traffic (app_id, app, team_id, hour, requests, egress_bytes)
      VALUES (${app!.id}, ${APP}, ${team!.id}, ${hour}, ${day * 100}, ${day * 250_000})`;
  }
}, 600_000);
afterAll(async () => {
  await ui?.browser.close();
  await devflow?.stop();
  await cleanupRuntime(devflow?.home);
  await db?.drop();
});

describe('usage in the dashboard', () => {
  it("shows the team's month: the push's build minutes and instance time, and one chart per figure", async () => {
    const api = await (await fetch(`${devflow.api}/api/v1/teams/acme/usage`, { headers: { authorization: `Bearer ${devflow.token}` } })).json() as { buildSeconds: number; requests: number };
    expect(api.buildSeconds).toBeGreaterThan(0);
    await page.goto(`${devflow.api}/`);
    await page.fill('input[name=token]', devflow.token);
    await page.click('button[name=token-sign-in]');
    await page.waitForSelector(`tr[data-app=${APP}]`);
    await page.waitForSelector('select[name=team] option[value=acme]', { state: 'attached' });
    await page.selectOption('select[name=team]', 'acme');
    await page.click('header a[href="#/usage"]');
    await page.waitForSelector('[data-testid=usage-totals] tr[data-usage=buildMinutes]');
    expect(await page.textContent('h2')).toBe('Usage of team acme');
    expect(await page.textContent('tr[data-usage=buildMinutes] td')).toBe(`${(api.buildSeconds / 60).toFixed(1)} min`);
    expect(await page.textContent('tr[data-usage=instanceHours] td')).toMatch(/^\d+\.\d\d h \(standard \d+\.\d\d\)$/);
    expect(await page.textContent('tr[data-usage=requests] td')).toBe(String(api.requests));
    const charts = await page.$$eval('figure[data-chart]', (els) => els.map((e) => e.getAttribute('data-chart')));
    expect(charts).toEqual(['instanceHours', 'buildMinutes', 'egressMb', 'requests', 'databaseMb', 'storageMb']);
    // Today's build and running instance are in today's point, so those series have a mark
    // (uPlot's canvas: pixels in the line's colour).
    for (const name of ['instanceHours', 'buildMinutes']) expect(await linePixels(page, name)).toBeGreaterThan(0);
    await ui.shot('01-team-usage-by-day');
    await page.selectOption('select[name=usage-step]', 'hour');
    await page.waitForSelector('figure[data-chart=requests] figcaption strong:has-text("per hour")');
    await ui.shot('02-team-usage-by-hour');
  });

  it("shows one app's month in its Usage tab", async () => {
    await page.goto(`${devflow.api}/#/apps/${APP}/usage`);
    await page.waitForSelector('nav.tabs a.active:has-text("Usage")');
    await page.waitForSelector('[data-testid=usage-totals] tr[data-usage=buildMinutes]');
    expect(await page.textContent('h2')).toBe('Usage');
    expect(await page.$$eval('figure[data-chart]', (els) => els.length)).toBe(6);
    await ui.shot('03-app-usage');
  });
});

describe('the build-minutes quota', () => {
  it('refuses a push once the month is used up, naming the quota and the plan that lifts it; the running release keeps serving', async () => {
    expect(await body()).toContain('Hello from node-hello');
    expect((await devflow.cli(['plans:assign', 'acme', 'free'])).exitCode).toBe(0);
    await db.sql`UPDATE deployment_phases SET duration_ms = ${100 * 60_000} WHERE phase = 'build'
      AND deployment_id IN (SELECT d.id FROM deployments d JOIN apps a ON a.id = d.app_id WHERE a.name = ${APP})`;
    await repo.write('server.js', (await fs.readFile(path.join(repo.dir, 'server.js'), 'utf8')).replace('Hello from node-hello', 'Hello past the quota'));
    await repo.commit('a change past the quota');
    const refused = await pushTo(repo, devflow, APP);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('remote:  !     deploy refused: team "acme" is on the free plan, whose 100 build minutes this month are used up (100 min); ' +
      'the running release is untouched (quota "buildMinutes"); the pro plan allows it: devflow plans:assign acme pro (an operator)');
    // Refused before any work: the failed deployment has no build phase.
    const [latest] = JSON.parse((await devflow.cli(['deployments', APP, '--json'])).stdout) as Array<{ id: number; state: string }>;
    expect(latest!.state).toBe('failed');
    const detail = await (await fetch(`${devflow.api}/api/v1/deployments/${latest!.id}`, { headers: { authorization: `Bearer ${devflow.token}` } })).json() as { phases: Array<{ phase: string }> };
    expect(detail.phases.map((p) => p.phase)).not.toContain('build');
    expect(refused.stderr).toContain('pre-receive hook declined');
    expect(await body()).toContain('Hello from node-hello');
    expect((await devflow.cli(['releases', APP])).stdout).toMatch(/^v1 \(current\)/);
    const plan = JSON.parse((await devflow.cli(['plans', '--team', 'acme', '--json'])).stdout) as { used: { buildSeconds: number } };
    expect(plan.used.buildSeconds).toBeGreaterThanOrEqual(6000);

    expect((await devflow.cli(['plans:assign', 'acme', 'pro'])).exitCode).toBe(0);
    const lifted = await pushTo(repo, devflow, APP);
    expect(lifted.exitCode, lifted.stderr).toBe(0);
    expect(await body()).toContain('Hello past the quota');
  }, 300_000);
});
