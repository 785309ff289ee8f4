/**
 * Issue 19 through the real API in-process (test-api.ts), on the test run's real PostgreSQL:
 * people, teams, roles, sessions, the one permission check, and the audit log. Invitations are
 * mailed over real SMTP to the embedded mail catcher.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTeam, instanceMayRead, MAIL_PROJECT, type Role } from '../accounts/index.js';
import { listCaughtMail } from '../core/mail/catcher.js';
import { parseAppName } from '../core/names.js';
import { createApp } from '../core/store/apps.js';
import type { EventBus } from '../core/events.js';
import type { TestDatabase } from '../tests/support/postgres.js';
import { accessTarget } from './access-target.js';
import { OPERATIONS } from './openapi.js';
import { startTestApi, type TestApi } from './test-api.js';

let api: TestApi;
let db: TestDatabase;
let bus: EventBus;
let base: string;
let adminToken: string;
const sessions: Record<string, string> = {};
let bankDeployment: number;
let globexTokenId: number;

interface Reply { status: number; body: any; text: string; headers: Headers }

async function call(method: string, route: string, token?: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${base}/api/v1${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined || method === 'GET' ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** POST /auth/login over a connection from `localAddress`, the client IP the API sees. */
async function loginFrom(localAddress: string, body: unknown): Promise<{ status: number; body: any; text: string; headers: http.IncomingHttpHeaders }> {
  const url = new URL(`${base}/api/v1/auth/login`);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => {
        resolve({ status: res.statusCode!, body: JSON.parse(text), text, headers: res.headers });
      });
    });
    req.on('error', reject).end(JSON.stringify(body));
  });
}

async function signUp(email: string, invitation?: string): Promise<string> {
  const reply = await call('POST', '/auth/signup', undefined, { email, password: 'correct horse battery', ...(invitation ? { invitation } : {}) });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.accessToken as string;
}

async function personId(email: string): Promise<number> {
  const [row] = await db.sql<{ id: number }[]>`SELECT id FROM people WHERE email = ${email}`;
  return row!.id;
}

const ROLES: Role[] = ['owner', 'admin', 'developer', 'viewer'];

beforeAll(async () => {
  api = await startTestApi();
  ({ db, bus, base, adminToken } = api);

  // The first person is the owner (of the instance and the default team); then two teams.
  sessions.first = await signUp('first@example.com');
  await createTeam(db.sql, 'acme', null);
  const globex = await createTeam(db.sql, 'globex', null);
  for (const role of ROLES) {
    const email = `${role}@acme.test`;
    sessions[role] = await signUp(email);
    await addMember(db.sql, 2, await personId(email), role);
  }
  sessions.globex = await signUp('boss@globex.test');
  await addMember(db.sql, globex.id, await personId('boss@globex.test'), 'owner');
  const shop = await createApp(db.sql, parseAppName('shop'));
  const bank = await createApp(db.sql, parseAppName('bank'));
  await db.sql`UPDATE apps SET team_id = 2 WHERE id = ${shop.id}`;
  await db.sql`UPDATE apps SET team_id = ${globex.id} WHERE id = ${bank.id}`;
  const [d] = await db.sql<{ id: number }[]>`INSERT INTO deployments (app_id, ref, sha, state) VALUES (${bank.id}, 'refs/heads/main', ${'a'.repeat(40)}, 'succeeded') RETURNING id`;
  bankDeployment = d!.id;
  const token = await call('POST', '/tokens', sessions.globex, { name: 'globex-ci', scope: 'deploy', team: 'globex' });
  expect(token.status, token.text).toBe(201);
  globexTokenId = token.body.id;
}, 60_000);

afterAll(async () => api?.close());

describe('the first person and the admin token', () => {
  it('makes the first person the owner, and the admin token theirs', async () => {
    const me = await call('GET', '/auth/me', adminToken);
    expect(me.body).toMatchObject({ actor: 'first@example.com', instance: true });
    const apps = await call('GET', '/apps', adminToken);
    expect(apps.body.map((a: { name: string }) => a.name)).toEqual(['bank', 'shop']);
  });
});

/** Concrete values for a path's parameters, all naming things of team globex. */
function globexPath(template: string): string {
  const values: Record<string, string> = {
    app: 'bank', team: 'globex', email: 'boss@globex.test', type: 'web', domain: 'www.bank.test', slug: 'pr-1',
    id: template.startsWith('/tokens') ? String(globexTokenId) : String(bankDeployment),
  };
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? 'x1'));
}

describe('another team is out of sight, on every route of the OpenAPI document', () => {
  // Sign-out and invitations concern only the caller's own session; they name nothing of another team.
  const operations = OPERATIONS.filter((op) => op.scope !== 'public' && !(op.path.startsWith('/auth/') && op.path !== '/auth/me'));

  it.each(ROLES)('an acme %s gets 404 for globex things, and lists without them', async (role) => {
    expect(operations.length).toBeGreaterThan(40);
    for (const op of operations) {
      const route = globexPath(op.path);
      const label = `${op.method.toUpperCase()} ${op.path} as acme ${role}`;
      if (op.path === '/events') continue; // a stream: checked below
      const reply = await call(op.method.toUpperCase(), route, sessions[role], {});
      const target = accessTarget(op.path, {});
      if (target.kind === 'app' || target.kind === 'deployment' || target.kind === 'team' || target.kind === 'instance' || op.path === '/tokens/{id}') {
        expect(reply.status, `${label}: ${reply.text}`).toBe(404);
      } else {
        expect(reply.status, label).toBeLessThan(500);
        expect(reply.text, label).not.toMatch(/bank|globex/);
      }
    }
    for (const route of ['/events?app=bank', '/audit?team=globex', '/audit?app=bank', '/apps/bank/logs?follow=true']) {
      expect((await call('GET', route, sessions[role])).status, `${route} as ${role}`).toBe(404);
    }
  });

  it('names the missing app in the same words whether it is missing or another team’s', async () => {
    const other = await call('GET', '/apps/bank', sessions.owner);
    const missing = await call('GET', '/apps/nowhere', sessions.owner);
    expect(other.body.error.message).toBe(missing.body.error.message.replaceAll('nowhere', 'bank'));
  });
});

describe('roles inside a team', () => {
  it('lets a viewer read and refuses them changes with 403', async () => {
    expect((await call('GET', '/apps/shop/deployments', sessions.viewer)).status).toBe(200);
    const refused = await call('PATCH', '/apps/shop/config', sessions.viewer, { A: '1' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('your role there is viewer');
  });

  it('lets a developer change config but not destroy the app', async () => {
    expect((await call('PATCH', '/apps/shop/config', sessions.developer, { A: '1' })).status).toBe(200);
    expect((await call('DELETE', '/apps/shop', sessions.developer)).status).toBe(403);
  });

  it('creates apps in the named team, and refuses a team the caller is not in', async () => {
    const created = await call('POST', '/apps', sessions.admin, { name: 'store', team: 'acme' });
    expect(created.status, created.text).toBe(201);
    expect(created.body.team).toBe('acme');
    expect((await call('POST', '/apps', sessions.admin, { name: 'other', team: 'globex' })).status).toBe(404);
    expect((await call('POST', '/apps', sessions.developer, { name: 'other', team: 'acme' })).status).toBe(403);
  });

  it('describes who can do what on an app', async () => {
    const access = await call('GET', '/apps/shop/access', sessions.viewer);
    expect(access.body.team).toBe('acme');
    expect(access.body.you).toMatchObject({ role: 'viewer', actions: ['read'] });
    expect(access.body.members.map((m: { email: string }) => m.email)).toContain('developer@acme.test');
  });

  it('limits a token to its apps', async () => {
    const made = await call('POST', '/tokens', sessions.owner, { name: 'only-store', scope: 'read', apps: ['store'] });
    expect(made.status, made.text).toBe(201);
    expect((await call('GET', '/apps', made.body.token)).body.map((a: { name: string }) => a.name)).toEqual(['store']);
    expect((await call('GET', '/apps/shop', made.body.token)).status).toBe(404);
  });
});

describe('instance-wide reads', () => {
  it('lets the admin token and the owner read the instance, and no team member', async () => {
    expect(await instanceMayRead(db.sql, adminToken)).toBe(true);
    expect(await instanceMayRead(db.sql, sessions.first!)).toBe(true);
    expect(await instanceMayRead(db.sql, sessions.owner!)).toBe(false);
  });
});

describe('the event stream', () => {
  it('shows a person only their teams’ apps’ events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${sessions.viewer}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    let seen = '';
    const read = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        seen += Buffer.from(value).toString();
        if (seen.includes('"app":"shop"')) return;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    await bus.publish({ type: 'app.changed', app: 'bank' });
    await bus.publish({ type: 'app.changed', app: 'shop' });
    await read;
    controller.abort();
    expect(seen).toContain('"app":"shop"');
    expect(seen).not.toContain('bank');
  });
});

describe('sessions', () => {
  it('signs in with email and password, refreshes once, and signs out everywhere', async () => {
    const login = await call('POST', '/auth/login', undefined, { email: 'developer@acme.test', password: 'correct horse battery' });
    expect(login.status, login.text).toBe(200);
    const { accessToken, refreshToken } = login.body;
    expect((await call('GET', '/apps/shop', accessToken)).status).toBe(200);
    const refreshed = await call('POST', '/auth/refresh', undefined, { refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await call('GET', '/apps/shop', accessToken)).status).toBe(401);
    expect((await call('POST', '/auth/refresh', undefined, { refreshToken })).status).toBe(401);
    const other = (await call('POST', '/auth/login', undefined, { email: 'developer@acme.test', password: 'correct horse battery' })).body.accessToken;
    expect((await call('POST', '/auth/logout', refreshed.body.accessToken, { everywhere: true })).body.ended).toBeGreaterThanOrEqual(2);
    expect((await call('GET', '/apps/shop', other)).status).toBe(401);
    sessions.developer = (await call('POST', '/auth/login', undefined, { email: 'developer@acme.test', password: 'correct horse battery' })).body.accessToken;
  });

  it('limits failed sign-ins per account and says when to retry', async () => {
    await signUp('target@example.com');
    for (let i = 0; i < 5; i++) {
      expect((await call('POST', '/auth/login', undefined, { email: 'target@example.com', password: `wrong ${i}` })).status).toBe(401);
    }
    const blocked = await call('POST', '/auth/login', undefined, { email: 'target@example.com', password: 'correct horse battery' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toMatch(/too many failed sign-ins for target@example.com: retry in \d+ s/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same IP is not blocked yet (the IP limit is higher).
    expect((await call('POST', '/auth/login', undefined, { email: 'viewer@acme.test', password: 'correct horse battery' })).status).toBe(200);
  });

  it('limits failed sign-ins per IP across accounts, says from where and when to retry, and leaves other IPs alone', async () => {
    // Another loopback address (all of 127/8 is this machine) stands for another client, so the
    // failures counted here do not block the other tests' sign-ins from 127.0.0.1.
    const from = '127.0.0.2';
    for (let account = 0; account < 5; account++) {
      for (let i = 0; i < 4; i++) {
        // 4 failures per account stay under its own limit of 5; the 20 of them reach the IP's.
        const reply = await loginFrom(from, { email: `guess${account}@example.com`, password: `wrong ${i}` });
        expect(reply.status, reply.text).toBe(401);
      }
    }
    const blocked = await loginFrom(from, { email: 'viewer@acme.test', password: 'correct horse battery' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toMatch(/^too many failed sign-ins from (::ffff:)?127\.0\.0\.2: retry in \d+ s/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The account itself is not blocked: from another address its right password still works.
    expect((await call('POST', '/auth/login', undefined, { email: 'viewer@acme.test', password: 'correct horse battery' })).status).toBe(200);
  });
});

describe('password reset', () => {
  it('mails a one-time code; using it sets the password and ends every session', async () => {
    const old = await signUp('forgetful@example.com');
    const asked = await call('POST', '/auth/password-reset', undefined, { email: 'forgetful@example.com' });
    const unknown = await call('POST', '/auth/password-reset', undefined, { email: 'nobody@example.com' });
    expect([asked.status, unknown.status]).toEqual([202, 202]);
    expect(unknown.body.mailed).toBe(asked.body.mailed);
    const [mail] = await listCaughtMail(db.sql, { project: MAIL_PROJECT, to: 'forgetful@example.com' });
    const code = /--code (dfp_\S+)/.exec(mail!.text)![1]!;
    const done = await call('POST', '/auth/password-reset/confirm', undefined, { email: 'forgetful@example.com', code, password: 'a brand new password' });
    expect(done.body).toEqual({ sessionsEnded: 1 });
    expect((await call('GET', '/auth/me', old)).status).toBe(401);
    expect((await call('POST', '/auth/login', undefined, { email: 'forgetful@example.com', password: 'a brand new password' })).status).toBe(200);
    expect((await call('POST', '/auth/password-reset/confirm', undefined, { email: 'forgetful@example.com', code, password: 'yet another one' })).status).toBe(404);
  });
});

describe('members', () => {
  it('invites by email over SMTP; the invitee signs up with the code and sees the team’s apps', async () => {
    const invited = await call('POST', '/teams/acme/invitations', sessions.admin, { email: 'newbie@example.com', role: 'viewer' });
    expect(invited.status, invited.text).toBe(201);
    const [mail] = await listCaughtMail(db.sql, { project: MAIL_PROJECT, to: 'newbie@example.com' });
    expect(mail!.subject).toContain('acme');
    const code = /--invitation (dfi_\S+)/.exec(mail!.text)![1]!;
    const token = await signUp('newbie@example.com', code);
    expect((await call('GET', '/apps', token)).body.map((a: { name: string }) => a.name)).toEqual(['shop', 'store']);
    expect((await call('POST', '/teams/acme/invitations', sessions.admin, { email: 'x@example.com', role: 'owner' })).status).toBe(403);
    expect((await call('POST', '/teams/acme/invitations', sessions.developer, { email: 'x@example.com' })).status).toBe(403);
  });

  it('revokes a removed member’s sessions and tokens at once', async () => {
    const token = await call('POST', '/tokens', sessions.developer, { name: 'dev-laptop', scope: 'deploy' });
    expect(token.status, token.text).toBe(201);
    expect((await call('GET', '/apps/shop', token.body.token)).status).toBe(200);
    const removed = await call('DELETE', '/teams/acme/members/developer%40acme.test', sessions.admin);
    expect(removed.body).toMatchObject({ removed: 'developer@acme.test', tokensRevoked: 1 });
    expect(removed.body.sessionsEnded).toBeGreaterThanOrEqual(1);
    expect((await call('GET', '/apps/shop', sessions.developer)).status).toBe(401);
    expect((await call('GET', '/apps/shop', token.body.token)).status).toBe(401);
  });
});

describe('the audit log', () => {
  it('records changes with actor, team, app, source IP and request id, and never a config value', async () => {
    const secret = 'sk_live_value_that_must_not_leak';
    const changed = await call('PATCH', '/apps/shop/config', sessions.owner, { STRIPE_KEY: secret, A: null });
    expect(changed.status, changed.text).toBe(200);
    const log = await call('GET', '/audit?team=acme&since=1h', sessions.owner);
    expect(log.status).toBe(200);
    const row = log.body.find((r: { action: string }) => r.action === 'config.change');
    expect(row).toMatchObject({ actor: 'owner@acme.test', team: 'acme', app: 'shop', target: 'set STRIPE_KEY; unset A', sourceIp: expect.stringContaining('127.0.0.1') });
    expect(row.requestId).toBe(changed.headers.get('x-request-id'));
    expect(log.body.map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['member.invite', 'member.remove', 'app.create']));
    const tokens = await call('GET', '/audit', adminToken);
    expect(tokens.body).toContainEqual(expect.objectContaining({ action: 'token.create', actor: 'developer@acme.test', target: 'dev-laptop' }));
    const everything = await db.sql`SELECT * FROM audit_log`;
    expect(JSON.stringify(everything)).not.toContain(secret);
  });

  it('exports JSON lines, and shows a team’s log only to its admins', async () => {
    const export_ = await call('GET', '/audit?team=acme&format=jsonl', sessions.admin);
    const lines = export_.text.trim().split('\n').map((l) => JSON.parse(l) as { team: string });
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.team === 'acme')).toBe(true);
    expect((await call('GET', '/audit?team=acme', sessions.viewer)).status).toBe(403);
    expect((await call('GET', '/audit?team=acme', sessions.globex)).status).toBe(404);
    expect((await call('GET', '/audit', sessions.globex)).text).not.toContain('acme');
  });
});
