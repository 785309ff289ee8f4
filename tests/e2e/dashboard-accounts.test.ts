/**
 * Issue 19 in the dashboard, in real headless Chromium (playwright-core, Debian's chromium),
 * against the real API in-process (api/test-api.ts; the dashboard is bundled from source):
 * sign in with email and password, switch teams, see members, invite, read the audit log;
 * open an invitation's mailed link and accept it (as someone new, and as someone signed in);
 * sign in with a two-factor code. TOTP codes are computed from the enrolled secret, as an
 * authenticator app would.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_PROJECT } from '../../accounts/index.js';
import { base32Decode, totp } from '../../accounts/totp.js';
import { startTestApi, type TestApi } from '../../api/test-api.js';
import { listCaughtMail } from '../../core/mail/catcher.js';

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

  it('narrows the audit log by app and by time with its filters', async () => {
    // A change of three days ago, written as the audit log records one (the log is append-only,
    // so a row cannot be back-dated after the fact; this one is inserted with its time).
    await api.db.sql`INSERT INTO audit_log (at, actor, team, app, action, target, source_ip)
      VALUES (now() - interval '3 days', 'ada@example.com', 'acme', 'shop', 'formation.scale', 'web=2', '127.0.0.1')`;
    await page.fill('input[name=audit-app]', 'shop');
    await page.selectOption('select[name=audit-since]', '7d');
    await page.click('form:has(input[name=audit-app]) button[type=submit]');
    await page.waitForSelector('tr[data-audit="member.invite"]', { state: 'detached' });
    await page.waitForSelector('tr[data-audit="formation.scale"]:has-text("web=2")');
    expect(await page.textContent('tr[data-audit="app.create"]')).toContain('shop');
    await page.selectOption('select[name=audit-since]', '1d');
    await page.click('form:has(input[name=audit-app]) button[type=submit]');
    await page.waitForSelector('tr[data-audit="formation.scale"]', { state: 'detached' });
    expect(await page.locator('tbody tr[data-audit]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-audit')))).toEqual(['app.create']);
    // Back to every app: the invitation is there again.
    await page.fill('input[name=audit-app]', '');
    await page.click('form:has(input[name=audit-app]) button[type=submit]');
    await page.waitForSelector('tr[data-audit="member.invite"]');
  });

  it('opens a mailed invitation link, where someone new signs up and joins the team', async () => {
    const link = await invitationLink('carol@example.com', 'developer');
    const fresh = await browser.newPage();
    try {
      await fresh.goto(link);
      await fresh.fill('input[name=signup-email]', 'carol@example.com');
      await fresh.fill('input[name=signup-password]', 'carols password');
      await fresh.click('button[name=signup-accept]');
      await fresh.waitForSelector('[data-testid=joined]:has-text("You joined acme as developer.")');
      await fresh.click('a[name=to-apps]');
      await fresh.waitForSelector('tr[data-app=shop]');
      expect(await fresh.locator('tr[data-app=legacy]').count()).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it('lets a person signed in accept an invitation with one button', async () => {
    await call('POST', '/auth/signup', undefined, { email: 'dan@example.com', password: 'dans password' });
    const link = await invitationLink('dan@example.com', 'viewer');
    const fresh = await browser.newPage();
    try {
      await signInAt(fresh, 'dan@example.com', 'dans password');
      await fresh.goto(link);
      await fresh.click('button[name=accept-invitation]');
      await fresh.waitForSelector('[data-testid=joined]:has-text("You joined acme as viewer.")');
      const [row] = await api.db.sql<{ role: string }[]>`
        SELECT m.role FROM memberships m JOIN people p ON p.id = m.person_id JOIN teams t ON t.id = m.team_id WHERE p.email = 'dan@example.com' AND t.name = 'acme'`;
      expect(row?.role).toBe('viewer');
    } finally {
      await fresh.close();
    }
  });

  it('turns on two-factor sign-in from the Account page, then asks for the code at sign-in', async () => {
    await page.click('header a[href="#/account"]');
    await page.click('button[name=totp-enable]');
    await page.waitForSelector('img[alt="QR code of the otpauth URI"]');
    const secret = base32Decode((await page.textContent('[data-testid=totp-secret]'))!);
    await page.fill('input[name=totp-confirm-code]', totp(secret, Date.now()));
    await page.click('form:has(input[name=totp-confirm-code]) button[type=submit]');
    await page.waitForSelector('[data-testid=recovery-codes] li');
    expect(await page.locator('[data-testid=recovery-codes] li').count()).toBe(10);
    const fresh = await browser.newPage();
    try {
      await fresh.goto(`${api.base}/#/signin`);
      await fresh.fill('input[name=email]', 'ada@example.com');
      await fresh.fill('input[name=password]', 'a long password');
      await fresh.click('button[name=password-sign-in]');
      await fresh.waitForSelector('input[name=totp-code]', { state: 'visible' });
      await fresh.fill('input[name=totp-code]', totp(secret, Date.now() - 10 * 60_000));
      await fresh.click('button[name=password-sign-in]');
      await fresh.waitForSelector('[data-testid=password-error]:has-text("wrong two-factor code")');
      await fresh.fill('input[name=totp-code]', totp(secret, Date.now() + 30_000));
      await fresh.click('button[name=password-sign-in]');
      await fresh.waitForSelector('tr[data-app=shop]');
    } finally {
      await fresh.close();
    }
  });
});

/** Invites through the API as the owner, and reads the link from the mail the catcher caught. */
async function invitationLink(email: string, role: string): Promise<string> {
  const owner = await call('POST', '/auth/login', undefined, { email: 'ada@example.com', password: 'a long password' });
  await call('POST', '/teams/acme/invitations', owner.accessToken, { email, role });
  const [mail] = await listCaughtMail(api.db.sql, { project: MAIL_PROJECT, to: email });
  const path = /\/#\/invitation\/(dfi_[\w-]+)/.exec(mail!.text)![0];
  return `${api.base}${path}`;
}

async function signInAt(target: Page, email: string, password: string): Promise<void> {
  await target.goto(`${api.base}/#/signin`);
  await target.fill('input[name=email]', email);
  await target.fill('input[name=password]', password);
  await target.click('button[name=password-sign-in]');
  await target.waitForSelector('header a[href="#/team"]');
}
