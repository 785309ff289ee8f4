/**
 * Issue 19: git pushes go through the same permission table as the API. A real git client
 * pushes over smart HTTP to a real GitReceiver (receiver/test-support.ts), whose `authenticate`
 * and `authorize` are the accounts role's, as boot/steps.ts wires them, on the real PostgreSQL.
 * The deploy itself is out of scope here: onPush accepts the push.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createPerson, createTeam, gitActor, gitDecision, listAudit, startSession, type Role } from '../../accounts/index.js';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { makeWorkRepo, startHarness, type Harness } from '../../receiver/test-support.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let harness: Harness;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  const acme = await createTeam(db.sql, 'acme', null);
  const globex = await createTeam(db.sql, 'globex', null);
  for (const [who, team, role] of [['dev', acme.id, 'developer'], ['viewer', acme.id, 'viewer'], ['rival', globex.id, 'owner']] as const) {
    const person = await createPerson(db.sql, `${who}@example.com`, 'a long password');
    await addMember(db.sql, team, person.id, role as Role);
    tokens[who] = (await startSession(db.sql, person.id)).accessToken;
  }
  const shop = await createApp(db.sql, parseAppName('shop'));
  await db.sql`UPDATE apps SET team_id = ${acme.id} WHERE id = ${shop.id}`;
  harness = await startHarness(['shop'], async () => ({ ok: true, message: 'accepted' }), {
    authenticate: (_user, password) => gitActor(db.sql, password),
    authorize: (password, app, service, rpc, origin) => gitDecision(db.sql, password, app, service, rpc, origin),
  });
}, 60_000);

afterAll(async () => {
  await harness.close();
  await db.drop();
});

describe('git push and teams', () => {
  it('lets a developer of the app’s team push, and records the push with its source IP and request id', async () => {
    const dir = await makeWorkRepo(harness, 'work', { 'index.js': 'console.log(1)\n' });
    // git sends extra headers on every request; the receiver keeps a request id it is given.
    const push = await harness.git(['-c', 'http.extraHeader=X-Request-Id: push-42', 'push', harness.remote('shop', tokens.dev), 'main'], dir);
    expect(push.code, push.stderr).toBe(0);
    const rows = await listAudit(db.sql, { teams: 'all', app: 'shop', limit: 10 });
    expect(rows.map((r) => [r.actor, r.team, r.action, r.sourceIp, r.requestId])).toContainEqual(['dev@example.com', 'acme', 'git.push', '127.0.0.1', 'push-42']);
  });

  it('gives a push a request id of its own when the client sends none', async () => {
    const dir = await makeWorkRepo(harness, 'work-2', { 'index.js': 'console.log(4)\n' });
    const push = await harness.git(['push', harness.remote('shop', tokens.dev), 'main:refs/heads/second'], dir);
    expect(push.code, push.stderr).toBe(0);
    const [row] = await listAudit(db.sql, { teams: 'all', app: 'shop', limit: 1 });
    expect(row!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(row!.sourceIp).toBe('127.0.0.1');
  });

  it('refuses another team’s app as if it did not exist', async () => {
    const dir = await makeWorkRepo(harness, 'rival-work', { 'index.js': 'console.log(2)\n' });
    const push = await harness.git(['push', harness.remote('shop', tokens.rival), 'main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain("app 'shop' does not exist");
  });

  it('refuses a viewer with a reason', async () => {
    const dir = await makeWorkRepo(harness, 'viewer-work', { 'index.js': 'console.log(3)\n' });
    const push = await harness.git(['push', harness.remote('shop', tokens.viewer), 'main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('403');
  });
});
