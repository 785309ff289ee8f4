/**
 * Issue 19, signing in through the real API in-process (test-api.ts) on the test run's real
 * PostgreSQL: two-factor sign-in with TOTP (enrol, confirm, a code at sign-in, no replay,
 * recovery codes spent once, turning it off), and failed sign-ins counted in PostgreSQL, so
 * that two DevFlow processes (two API servers, each with its own connection pool, on one
 * database) share the limit. Codes are computed from the enrolled secret, as an authenticator
 * app would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS } from './routes/auth.js';
import { base32Decode, totp } from '../accounts/totp.js';
import { startTestApi, type TestApi } from './test-api.js';

let first: TestApi;
let second: TestApi;

interface Reply { status: number; body: any; text: string; headers: Headers }

async function call(api: TestApi, method: string, route: string, token?: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${api.base}/api/v1${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

const PASSWORD = 'correct horse battery';

async function signUp(email: string): Promise<string> {
  const reply = await call(first, 'POST', '/auth/signup', undefined, { email, password: PASSWORD });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.accessToken as string;
}

beforeAll(async () => {
  first = await startTestApi();
  second = await startTestApi({ sameDatabaseAs: first.db });
});

afterAll(async () => {
  await second?.close();
  await first?.close();
});

describe('two-factor sign-in (TOTP)', () => {
  let token: string;
  let secret: Buffer;
  let recoveryCodes: string[];
  const email = 'ada@example.com';
  // Confirming used this time step's code; the next step's is the newest one not used yet.
  const nextCode = () => totp(secret, Date.now() + 30_000);

  it('enrols with an otpauth URI and switches on only with a matching code', async () => {
    token = await signUp(email);
    expect((await call(first, 'GET', '/auth/totp', token)).body).toEqual({ enabled: false });
    const started = await call(first, 'POST', '/auth/totp', token);
    expect(started.status, started.text).toBe(201);
    expect(started.body.uri).toMatch(/^otpauth:\/\/totp\/DevFlow:ada%40example\.com\?secret=[A-Z2-7]{32}&issuer=DevFlow/);
    secret = base32Decode(started.body.secret);

    const wrong = await call(first, 'POST', '/auth/totp/confirm', token, { code: totp(secret, Date.now() - 10 * 60_000) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('does not match');
    expect((await call(first, 'GET', '/auth/totp', token)).body).toEqual({ enabled: false });

    const confirmed = await call(first, 'POST', '/auth/totp/confirm', token, { code: totp(secret, Date.now()) });
    expect(confirmed.status, confirmed.text).toBe(200);
    recoveryCodes = confirmed.body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes[0]).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect((await call(second, 'GET', '/auth/totp', token)).body).toEqual({ enabled: true });
  });

  it('stores recovery codes only as hashes', async () => {
    const rows = await first.db.sql<{ code_hash: string }[]>`SELECT code_hash FROM recovery_codes`;
    expect(rows).toHaveLength(10);
    for (const code of recoveryCodes) expect(rows.map((r) => r.code_hash).join()).not.toContain(code.replace('-', ''));
  });

  it('asks for the code at sign-in, and signs in with it', async () => {
    const asked = await call(first, 'POST', '/auth/login', undefined, { email, password: PASSWORD });
    expect(asked.status).toBe(401);
    expect(asked.body.error.code).toBe('totp_required');
    const signedIn = await call(first, 'POST', '/auth/login', undefined, { email, password: PASSWORD, code: nextCode() });
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(signedIn.body.accessToken).toMatch(/^dfa_/);
  });

  it('refuses a wrong code, and a code already used (on either process)', async () => {
    const wrong = await call(first, 'POST', '/auth/login', undefined, { email, password: PASSWORD, code: totp(secret, Date.now() - 10 * 60_000) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toContain('wrong two-factor code');
    const replayed = await call(second, 'POST', '/auth/login', undefined, { email, password: PASSWORD, code: nextCode() });
    expect(replayed.status).toBe(401);
  });

  it('accepts each recovery code once', async () => {
    const used = await call(second, 'POST', '/auth/login', undefined, { email, password: PASSWORD, code: recoveryCodes[0]!.toUpperCase() });
    expect(used.status, used.text).toBe(200);
    const again = await call(first, 'POST', '/auth/login', undefined, { email, password: PASSWORD, code: recoveryCodes[0] });
    expect(again.status).toBe(401);
  });

  it('turns off with a recovery code, after which the password alone signs in', async () => {
    const refused = await call(first, 'POST', '/auth/totp/disable', token, { code: 'aaaaa-aaaaa' });
    expect(refused.status).toBe(401);
    const off = await call(first, 'POST', '/auth/totp/disable', token, { code: recoveryCodes[1] });
    expect(off.status, off.text).toBe(200);
    expect((await call(first, 'POST', '/auth/login', undefined, { email, password: PASSWORD })).status).toBe(200);
  });

  it('refuses enrolment to an API token: only a signed-in session may', async () => {
    const reply = await call(first, 'POST', '/auth/totp', first.adminToken);
    expect(reply.status).toBe(403);
    expect(reply.body.error.message).toContain('devflow login --email');
  });
});

describe('failed sign-ins shared by two DevFlow processes', () => {
  it('counts failures made on either process, and blocks the account on both with a time to retry', async () => {
    const email = 'grace@example.com';
    await signUp(email);
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
      const api = i % 2 === 0 ? first : second;
      const failed = await call(api, 'POST', '/auth/login', undefined, { email, password: 'not the password' });
      expect(failed.status).toBe(401);
    }
    for (const api of [first, second]) {
      const blocked = await call(api, 'POST', '/auth/login', undefined, { email, password: PASSWORD });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.body.error.message).toMatch(/too many failed sign-ins for grace@example\.com: retry in \d+ s/);
    }
    const rows = await first.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sign_in_failures WHERE key = ${`account:${email}`}`;
    expect(rows[0]!.n).toBe(SIGN_IN_LIMITS.perAccount);
  });

  it('leaves other accounts free to sign in', async () => {
    const email = 'linus@example.com';
    await signUp(email);
    expect((await call(second, 'POST', '/auth/login', undefined, { email, password: PASSWORD })).status).toBe(200);
  });
});
