/**
 * The dashboard in real headless Chromium (Debian's chromium, driven by playwright-core): sign
 * in with a token, watch a deploy started by `git push` appear and progress without a reload,
 * scale, set a config var (hidden until revealed), roll back, read runtime logs. Screenshots of
 * the main pages go to test-artifacts/dashboard/. The studio (issue 17): database, storage, realtime
 * channels and functions, judged against @supabase/supabase-js on the same backend. The Jobs tab
 * (issue 21): an app.json cron job with its next run and, once it ran, its status; one-off runs.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import type { Browser, Page } from 'playwright-core';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw } from '../support/api-client.js';
import { openDashboardBrowser, type DashboardBrowser } from '../support/dashboard-browser.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { leftRunning, runningSoon } from '../support/processes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LONG = { timeout: 180_000 };

let devflow: DevflowProcess;
let browser: Browser;
let page: Page;
let repo: Workdir;

let shot: DashboardBrowser['shot'];
let tab: DashboardBrowser['tab'];

/** Node 20 has no WebSocket: realtime-js takes ws. */
const CLIENT_OPTIONS = { auth: { persistSession: false }, realtime: { transport: ws as never } };
const backendKeys = async () => (await raw('GET', `${devflow.api}/api/v1/apps/hello/backend`, { token: devflow.token })).json as { url: string; anonKey: string; serviceRoleKey: string };
const serviceClient = async (): Promise<SupabaseClient> => {
  const { url, serviceRoleKey } = await backendKeys();
  return createClient(url, serviceRoleKey, CLIENT_OPTIONS);
};

beforeAll(async () => {
  devflow = await startDevflowProcess({ runtime: 'process' });
  const created = await raw('POST', `${devflow.api}/api/v1/apps`, { token: devflow.token, body: { name: 'hello' } });
  expect(created.status).toBe(201);
  ({ browser, page, shot, tab } = await openDashboardBrowser('dashboard'));
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
    repo = await repoFromExample(path.join(ROOT, 'examples', 'node-hello'));
    // The Jobs tab's cron job (the last test) is in the first release: its first run comes at a
    // minute's turn, which then passes while the tests between run, not in a wait of its own.
    await repo.write('app.json', '{ "cron": [ { "command": "echo cron-ran", "schedule": "* * * * *" } ] }\n');
    await repo.commit('a cron job every minute');
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
    const branchRepo = await repoFromExample(path.join(ROOT, 'examples', 'node-hello'));
    const pushed = await pushTo(branchRepo, devflow, 'hello', 'HEAD:refs/heads/try-this');
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    await page.reload();
    await page.waitForSelector('tr[data-preview=try-this]', LONG);
    expect(await page.textContent('tr[data-preview=try-this]')).toContain(`http://try-this.hello.localhost:${devflow.httpPort}/`);
    await shot('09-previews');
    await page.click('tr[data-preview=try-this] button:has-text("Remove")');
    await page.waitForSelector('text=No previews: push a branch to get one.', LONG);
  });

  it("enables the app's backend, hides its keys until revealed, and adds and deletes its users", async () => {
    await page.goto(`${devflow.api}/#/apps/hello`);
    await tab('Backend');
    await page.click('button:has-text("Enable backend")');
    await page.waitForSelector('[data-key=url]', LONG);
    expect(await page.textContent('[data-key=url]')).toBe(`http://127.0.0.1:${devflow.port}/backend/hello`);
    expect(await page.textContent('[data-key="service role key"]')).toBe('••••••••');
    const keys = await backendKeys();
    await page.click('tr:has([data-key="service role key"]) >> text=Reveal');
    expect(await page.textContent('[data-key="service role key"]')).toBe(keys.serviceRoleKey);
    expect(await page.textContent('[data-testid=rls-example]')).toContain('using (user_id = auth.uid())');
    // A toggle goes to the project: its Auth settings answer with anonymous sign-ins on.
    await page.check('input[aria-label="Allow anonymous sign-ins"]');
    await page.waitForFunction(() => (document.querySelector('input[aria-label="Allow anonymous sign-ins"]') as HTMLInputElement | null)?.checked === true);
    const authSettings = async () => (await (await fetch(`${keys.url}/auth/v1/settings`, { headers: { apikey: keys.anonKey } })).json()) as { external: Record<string, boolean>; mailer_autoconfirm: boolean };
    await expect.poll(async () => (await authSettings()).external.anonymous_users).toBe(true);
    // Confirmation on: a sign-up's mail shows in the caught mail list.
    await page.uncheck('input[aria-label="Confirm sign-ups automatically (no confirmation email)"]');
    await expect.poll(async () => (await authSettings()).mailer_autoconfirm).toBe(false);
    await fetch(`${keys.url}/auth/v1/signup`, { method: 'POST', headers: { apikey: keys.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'eve@example.com', password: 'correct horse' }) });
    await page.click('[data-testid=backend-mail] button:has-text("Refresh")');
    await page.waitForSelector('[data-mail="eve@example.com"]', LONG);
    expect(await page.textContent('[data-mail="eve@example.com"] summary')).toContain('Confirm your signup');
    await page.check('input[aria-label="Confirm sign-ups automatically (no confirmation email)"]');
    await expect.poll(async () => (await authSettings()).mailer_autoconfirm).toBe(true);
    await page.waitForSelector('tr[data-user="eve@example.com"]');
    await page.fill('input[name=user-email]', 'ada@example.com');
    await page.fill('input[name=user-password]', 'short');
    await page.click('button:has-text("Add user")');
    await page.waitForSelector('[role=alert]:has-text("at least 6 characters")');
    await page.fill('input[name=user-password]', 'correct horse');
    await page.click('button:has-text("Add user")');
    await page.waitForSelector('tr[data-user="ada@example.com"]');
    expect(await page.textContent('tr[data-user="ada@example.com"]')).toContain('yes');
    // The user exists for the app's own clients too: the backend's token endpoint signs her in.
    const { anonKey } = (await raw('GET', `${devflow.api}/api/v1/apps/hello/backend`, { token: devflow.token })).json as { anonKey: string };
    const signIn = await fetch(`${devflow.api}/backend/hello/auth/v1/token?grant_type=password`, {
      method: 'POST', headers: { apikey: anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse' }),
    });
    expect(signIn.status).toBe(200);
    await shot('08-backend');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('tr[data-user="ada@example.com"] button:has-text("Delete")');
    await page.waitForSelector('tr[data-user="ada@example.com"]', { state: 'detached' });
    expect(await page.textContent('[data-testid=backend-users] h3')).toBe('Users (1)');
  });

  it('the database studio: SQL editor with errors and history, schema with policies, rows inserted, edited, filtered, deleted (a cancelled confirmation writes nothing), sorted and paged', async () => {
    const accept = (dialog: { accept(): Promise<void> }) => void dialog.accept();
    page.on('dialog', accept);
    await tab('Database');
    // The backend (enabled above) brings its own schemas; the app has no table of its own yet.
    await page.waitForSelector('tr[data-table="auth.users"]');
    expect(await page.$('tr[data-table=todos]')).toBeNull();
    await page.fill('textarea[name=sql]', 'select\n  nope');
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-testid=sql-error]');
    expect(await page.textContent('[data-testid=sql-error]')).toBe('42703: column "nope" does not exist (line 2, column 3)');
    await page.fill('textarea[name=sql]', [
      'create table todos (id bigint generated always as identity primary key, title text not null, done boolean not null default false);',
      'alter table todos enable row level security;',
      'create policy "anyone reads" on todos for select to anon using (true);',
    ].join('\n'));
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-testid=sql-status]:has-text("CREATE POLICY")');
    await page.click('tr[data-table=todos]');
    await page.waitForSelector('[data-testid=policies]');
    expect(await page.textContent('[data-testid=policies]')).toContain('anyone reads');
    expect(await page.textContent('[data-testid=table-details] tr[data-column=id]')).toContain('primary');
    await page.waitForSelector('[data-testid=rows-range]:has-text("No rows")');

    await page.fill('input[name=new-title]', 'write tests');
    await page.click('button:has-text("Insert row")');
    await page.waitForSelector('[data-testid=rows-range]:has-text("Rows 1–1 of 1")');
    await page.dblclick('tr[data-row="1"] td[data-column=title]');
    await page.fill('input[name=edit-title]', 'write more tests');
    await page.click('tr[data-row="1"] button:has-text("Save")');
    await page.waitForSelector('tr[data-row="1"] td[data-column=title]:has-text("write more tests")');
    expect(await page.textContent('tr[data-row="1"] td[data-column=done]')).toBe('false');
    await page.selectOption('select[name=filter-column]', 'title');
    await page.fill('input[name=filter-value]', 'nothing');
    await page.click('button:has-text("Apply")');
    await page.waitForSelector('[data-testid=rows-range]:has-text("No rows")');
    await page.fill('input[name=filter-value]', '');
    await page.click('button:has-text("Apply")');
    await page.waitForSelector('[data-testid=rows-range]:has-text("of 1")');
    await shot('09-database');

    // What the grid wrote is in the database: read it back through the SQL editor.
    await page.fill('textarea[name=sql]', 'select title, done from todos');
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-testid=sql-status]:has-text("SELECT 1")');
    expect(await page.textContent('[data-testid=sql-output] tbody')).toBe('write more testsfalse');
    // The history is fetched again after the result is drawn: wait for it to list this query.
    await page.waitForSelector('[data-testid=sql-history] li:has-text("select title, done from todos")');
    expect(await page.textContent('[data-testid=sql-history]')).toContain('select title, done from todos');
    expect(await page.textContent('[data-testid=sql-history]')).toContain('✗ select');

    // A cancelled confirmation writes nothing.
    page.off('dialog', accept);
    const dismiss = (dialog: { dismiss(): Promise<void> }) => void dialog.dismiss();
    page.on('dialog', dismiss);
    await page.click('tr[data-row="1"] button:has-text("Delete")');
    await page.fill('textarea[name=sql]', "select count(*), 'after the cancel' from todos");
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-testid=sql-output] tbody:has-text("after the cancel")');
    expect(await page.textContent('[data-testid=sql-output] tbody')).toBe('1after the cancel');
    page.off('dialog', dismiss);
    page.on('dialog', accept);
    await page.click('tr[data-row="1"] button:has-text("Delete")');
    await page.waitForSelector('[data-testid=rows-range]:has-text("No rows")');

    // More than a page (25 rows): sort by a column header, then page with Next and Previous.
    await page.fill('textarea[name=sql]', "insert into todos (title) select 'task ' || lpad(g::text, 2, '0') from generate_series(1, 30) g");
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-testid=sql-status]:has-text("INSERT 30")');
    await page.click('tr[data-table=todos]');
    await page.waitForSelector('[data-testid=rows-range]:has-text("Rows 1–25 of 30")');
    const titles = () => page.$$eval('[data-testid=rows] tbody td[data-column=title]', (cells) => cells.map((c) => c.textContent));
    await page.click('[data-testid=rows] th:has-text("title")');
    await page.waitForSelector('[data-testid=rows] th:has-text("title ▲")');
    expect((await titles()).slice(0, 2)).toEqual(['task 01', 'task 02']);
    await page.click('[data-testid=rows] th:has-text("title")');
    await page.waitForSelector('[data-testid=rows] th:has-text("title ▼")');
    expect((await titles()).slice(0, 2)).toEqual(['task 30', 'task 29']);
    await page.click('[data-testid=rows-range] button:has-text("Next")');
    await page.waitForSelector('[data-testid=rows-range]:has-text("Rows 26–30 of 30")');
    expect(await titles()).toEqual(['task 05', 'task 04', 'task 03', 'task 02', 'task 01']);
    expect(await page.isDisabled('[data-testid=rows-range] button:has-text("Next")')).toBe(true);
    await page.click('[data-testid=rows-range] button:has-text("Previous")');
    await page.waitForSelector('[data-testid=rows-range]:has-text("Rows 1–25 of 30")');
    expect((await titles())[0]).toBe('task 30');
    expect(await page.isDisabled('[data-testid=rows-range] button:has-text("Previous")')).toBe(true);
    await page.fill('textarea[name=sql]', 'delete from todos');
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-testid=sql-status]:has-text("DELETE 30")');
    page.off('dialog', accept);
  });

  it('the storage studio: creates a bucket, uploads, lists folders, downloads, makes it public, deletes (issue 17)', async () => {
    const accept = (dialog: { accept(): Promise<void> }) => void dialog.accept();
    page.on('dialog', accept);
    const admin = await serviceClient();
    await tab('Storage');
    await page.waitForSelector('text=No buckets yet.');
    await page.fill('input[name=bucket-name]', 'avatars');
    await page.click('button:has-text("Create bucket")');
    await page.waitForSelector('tr[data-bucket=avatars]');
    await page.waitForSelector('[data-testid=files] >> text=No files here yet.');
    expect(await page.textContent('[data-testid=bucket-access]')).toBe('private');
    await page.setInputFiles('input[name=upload-file]', { name: 'me.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the studio') });
    await page.click('button:has-text("Upload")');
    await page.waitForSelector('tr[data-file="me.txt"]');
    expect(await page.textContent('tr[data-file="me.txt"]')).toContain('21 B');
    // What the page uploaded is what supabase-js downloads; what supabase-js uploads the page lists.
    const got = await admin.storage.from('avatars').download('me.txt');
    expect(await got.data?.text()).toBe('hello from the studio');
    expect((await admin.storage.from('avatars').upload('ada/notes.txt', 'kept in a folder', { contentType: 'text/plain' })).error).toBeNull();
    await page.click('tr[data-bucket=avatars]');
    await page.click('tr[data-file="ada/"] >> text=ada/');
    await page.waitForSelector('tr[data-file="ada/notes.txt"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('tr[data-file="ada/notes.txt"] button:has-text("Download")')]);
    expect(await fs.readFile((await download.path())!, 'utf8')).toBe('kept in a folder');
    await page.click('[data-testid=files-path] >> text=avatars');
    await page.waitForSelector('tr[data-file="me.txt"]');

    const publicUrl = `${devflow.api}/backend/hello/storage/v1/object/public/avatars/me.txt`;
    expect((await fetch(publicUrl)).status).toBe(400);
    await page.click('button:has-text("Make public")');
    await page.waitForSelector('[data-testid=bucket-access]:has-text("public")');
    const served = await fetch(publicUrl);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe('hello from the studio');
    await shot('11-storage');

    await page.click('tr[data-file="me.txt"] button:has-text("Delete")');
    await page.waitForSelector('tr[data-file="me.txt"]', { state: 'detached' });
    expect(await page.$('tr[data-file="ada/"]')).not.toBeNull();
    expect((await admin.storage.from('avatars').list()).data?.map((e) => e.name)).toEqual(['ada']);
    page.off('dialog', accept);
  });

  it('the realtime studio: live channels with their subscriber counts (issue 17)', async () => {
    const { url, anonKey } = await backendKeys();
    const clients = [0, 1].map(() => createClient(url, anonKey, CLIENT_OPTIONS));
    const joined = await Promise.all(clients.map((c) => new Promise<RealtimeChannel>((resolve, reject) => {
      const channel = c.channel('room1').on('broadcast', { event: 'cursor' }, () => {});
      channel.subscribe((status) => (status === 'SUBSCRIBED' ? resolve(channel) : status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' ? reject(new Error(status)) : undefined));
    })));
    try {
      await tab('Realtime');
      await page.waitForSelector('tr[data-channel=room1] [data-testid=subscribers]:has-text("2")');
      await shot('12-realtime');
      await clients[1]!.removeChannel(joined[1]!);
      await page.waitForSelector('tr[data-channel=room1] [data-testid=subscribers]:has-text("1")');
      await clients[0]!.removeChannel(joined[0]!);
      await page.waitForSelector('[data-testid=no-channels]');
    } finally {
      await Promise.all(clients.map((c) => c.removeAllChannels()));
    }
  });

  it('the functions studio: deployed functions with their counters and logs (issue 17)', async () => {
    const source = "export default async (req: Request) => { const { name } = await req.json(); if (name === 'crash') throw new Error('no crash please'); console.log('greeting', name); return Response.json({ message: `Hello ${name}` }); };";
    const deployed = await fetch(`${devflow.api}/api/v1/apps/hello/functions/hello`, {
      method: 'PUT', headers: { authorization: `Bearer ${devflow.token}`, 'content-type': 'application/vnd.devflow.function+json' },
      body: JSON.stringify({ files: [{ path: 'index.ts', content: Buffer.from(source).toString('base64') }], verifyJwt: false }),
    });
    expect(deployed.status).toBe(200);
    const client = await serviceClient();
    expect((await client.functions.invoke('hello', { body: { name: 'Ada' } })).data).toEqual({ message: 'Hello Ada' });
    expect((await client.functions.invoke('hello', { body: { name: 'crash' } })).error).toBeTruthy();
    await tab('Functions');
    await page.waitForSelector('tr[data-function=hello]');
    expect(await page.textContent('tr[data-function=hello] [data-testid=invocations]')).toBe('2');
    expect(await page.textContent('tr[data-function=hello] [data-testid=errors]')).toBe('1');
    await page.click('tr[data-function=hello]');
    await page.waitForSelector('[data-testid=function-logs] pre');
    const logs = await page.textContent('[data-testid=function-logs] pre');
    expect(logs).toContain('greeting Ada');
    expect(logs).toContain('no crash please');
    await shot('13-functions');
  });

  it('shows the git connection, reveals the webhook secret only on a click, and lists deliveries (issue 22)', async () => {
    const token = 'ghp_dashboard_token_5678';
    const connected = await raw('PUT', `${devflow.api}/api/v1/apps/hello/git`, { token: devflow.token, body: { url: 'https://github.com/acme/hello.git', token } });
    expect(connected.status).toBe(200);
    const { secret } = (await raw('GET', `${devflow.api}/api/v1/apps/hello/git/webhook`, { token: devflow.token })).json as { secret: string };
    // A ping, signed as GitHub signs it: recorded and ignored.
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const ping = await fetch(`${devflow.api}/hooks/hello/git`, { method: 'POST', body, headers: {
      'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'ping-1',
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    } });
    expect(ping.status).toBe(202);
    await tab('Git');
    await page.waitForSelector('[data-webhook-url]');
    expect(await page.textContent('[data-webhook-url]')).toBe(`http://localhost:${new URL(devflow.api).port}/hooks/hello/git`);
    expect(await page.textContent('table.git-connection')).toContain('••••5678');
    expect(await page.content()).not.toContain(token);
    expect(await page.content()).not.toContain(secret);
    expect(await page.textContent('tr[data-delivery=ping-1]')).toMatch(/ping.*ignored.*the webhook is set up/);
    await page.click('button:has-text("Reveal secret")');
    await page.waitForSelector(`[data-webhook-secret]:has-text("${secret}")`);
    await shot('10-git');
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

  it('cancels a build in progress from the Deployments tab: the push is refused, nothing of the build keeps running', async () => {
    const needle = '4243.71';
    expect((await raw('POST', `${devflow.api}/api/v1/apps`, { token: devflow.token, body: { name: 'slowbuild' } })).status).toBe(201);
    const slow = await repoFromExample(path.join(ROOT, 'examples', 'node-hello'));
    const manifest = JSON.parse(await fs.readFile(path.join(slow.dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    manifest.scripts.build = `echo $((6*7)) asleep && sleep ${needle}`;
    await slow.write('package.json', JSON.stringify(manifest));
    await slow.commit('a build that never ends');
    await page.goto(`${devflow.api}/#/apps/slowbuild`);
    await page.waitForSelector('text=No deployments yet');
    const pushing = pushTo(slow, devflow, 'slowbuild');
    await page.waitForFunction(() => document.querySelector('[data-testid=build-log]')?.textContent?.includes('42 asleep'), undefined, LONG);
    expect(await runningSoon(needle)).not.toEqual([]);
    await page.click('tr[data-deployment] button[name=cancel-deployment]');
    await page.waitForSelector('tr[data-deployment] .badge[data-state=failed]', LONG);
    expect(await page.textContent('tr[data-deployment]')).toMatch(/cancelled by \S+ \(devflow deployments:cancel\)/);
    expect(await page.$('tr[data-deployment] button[name=cancel-deployment]')).toBeNull();
    await shot('15-cancelled');
    const push = await pushing;
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toMatch(/remote:  !     cancelled by \S+ \(devflow deployments:cancel\)/);
    expect(await leftRunning(needle)).toEqual([]);
  });

  it("the Jobs tab: the app.json cron job with its schedule, next run and last run's status, and recent one-off runs (issue 21)", async () => {
    // The job came with the first push (app.json); the releases since (config, rollback) kept it.
    const run = await raw('POST', `${devflow.api}/api/v1/apps/hello/runs`, { token: devflow.token, body: { command: 'echo one-off; exit 3', detach: true } });
    expect(run.status).toBe(200);
    await page.goto(`${devflow.api}/#/apps/hello/jobs`);
    await page.waitForSelector('nav.tabs a.active:has-text("Jobs")');
    const job = 'tr[data-cron-job]';
    await page.waitForSelector(job, LONG);
    expect(await page.textContent(`${job} [data-testid=command]`)).toBe('echo cron-ran');
    expect(await page.textContent(`${job} [data-testid=schedule]`)).toBe('* * * * *');
    expect(await page.textContent(`${job} [data-testid=next-run]`)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    await page.waitForSelector(`tr[data-run]:has-text("echo one-off; exit 3") .badge[data-state=failed]`, LONG);
    expect(await page.textContent(`tr[data-run]:has-text("echo one-off; exit 3") [data-testid=run-status]`)).toBe('failed exit 3');
    // The job runs at each minute's turn: its row then shows the run's status and exit code.
    await page.waitForSelector(`${job} [data-testid=last-status] .badge[data-state=succeeded]`, { timeout: 150_000 });
    expect(await page.textContent(`${job} [data-testid=last-status]`)).toContain('succeeded exit 0');
    // Its runs are among the recent runs (a later one may still be going: one of them has succeeded).
    const cronRuns = await page.$$eval('tr[data-run]', (rows) => rows.map((r) => r.textContent ?? '').filter((t) => t.includes('[cron] echo cron-ran')));
    expect(cronRuns.some((t) => t.includes('succeeded')), JSON.stringify(cronRuns)).toBe(true);
    await shot('14-jobs');
  }, 240_000);
});
