/**
 * The Supabase Auth API driven by @supabase/supabase-js from npm, unmodified, over HTTP, on a
 * provisioned project database: what an app sees (sessions, users, errors with Supabase's status
 * and code) is what is asserted.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenClaims, signAccessToken } from './access-token.js';
import type { Mailer, OutgoingMail } from './mail.js';
import { startAuthTestServer, supabaseClient, type AuthTestServer } from './test-support.js';

const sent: OutgoingMail[] = [];
const recordingMailer: Mailer = { async send(mail) { sent.push(mail); } };

function client(server: AuthTestServer, key = server.project.keys.anonKey): SupabaseClient {
  return supabaseClient(server.url, key);
}

let a: AuthTestServer;
let b: AuthTestServer;

beforeAll(async () => {
  a = await startAuthTestServer({ service: { mailer: recordingMailer, rateLimits: { signInPerIp: { max: 1000, windowS: 300 } } } });
  b = await startAuthTestServer({ service: { mailer: recordingMailer, rateLimits: { signInPerEmail: { max: 3, windowS: 300 } } } });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('sign up, sign in, refresh, sign out (mailer autoconfirm on)', () => {
  it('signs up with a session whose token carries Supabase claims, and the user reads itself', async () => {
    const supabase = client(a);
    const { data, error } = await supabase.auth.signUp({ email: 'Ada@Example.com', password: 'correct horse', options: { data: { name: 'Ada' } } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: 'ada@example.com', aud: 'authenticated', role: 'authenticated', is_anonymous: false,
      user_metadata: { name: 'Ada', email: 'ada@example.com', email_verified: true }, app_metadata: { provider: 'email', providers: ['email'] } });
    expect(data.user!.identities).toHaveLength(1);
    const claims = decodeJwt(data.session!.access_token);
    expect(claims).toMatchObject({ aud: 'authenticated', role: 'authenticated', sub: data.user!.id, email: 'ada@example.com',
      is_anonymous: false, aal: 'aal1', amr: [{ method: 'password' }], iss: `${a.url}/auth/v1` });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.session_id).toBe((await a.adminSql`SELECT id FROM auth.sessions WHERE user_id = ${data.user!.id}`)[0]?.id);
    const me = await supabase.auth.getUser(data.session!.access_token);
    expect(me.data.user?.id).toBe(data.user!.id);
  });

  it('stores a bcrypt hash at cost 10 that pgcrypto crypt() verifies', async () => {
    await a.adminSql`CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions`;
    const [row] = await a.adminSql`SELECT encrypted_password LIKE '$2a$10$%' AS bcrypt10,
      encrypted_password = extensions.crypt('correct horse', encrypted_password) AS verifies,
      encrypted_password = extensions.crypt('wrong horse', encrypted_password) AS wrong
      FROM auth.users WHERE email = 'ada@example.com'`;
    expect(row).toEqual({ bcrypt10: true, verifies: true, wrong: false });
  });

  it('refuses a second sign-up, a weak password and a malformed address with Supabase codes', async () => {
    const supabase = client(a);
    const again = await supabase.auth.signUp({ email: 'ada@example.com', password: 'another one' });
    expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists', message: 'User already registered' });
    const weak = await supabase.auth.signUp({ email: 'weak@example.com', password: '123' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password', name: 'AuthWeakPasswordError', reasons: ['length'] });
    const bad = await supabase.auth.signUp({ email: 'not-an-address', password: 'long enough' });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('signs in with the password, and refuses a wrong one or an unknown address alike', async () => {
    const supabase = client(a);
    const ok = await supabase.auth.signInWithPassword({ email: 'ada@example.com', password: 'correct horse' });
    expect(ok.error).toBeNull();
    expect(ok.data.user?.last_sign_in_at).toBeTruthy();
    const wrong = await supabase.auth.signInWithPassword({ email: 'ada@example.com', password: 'wrong horse' });
    expect(wrong.error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
    const unknown = await supabase.auth.signInWithPassword({ email: 'nobody@example.com', password: 'wrong horse' });
    expect(unknown.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
  });

  it('rotates refresh tokens; a reused one revokes the whole family', async () => {
    const supabase = client(a);
    const first = (await supabase.auth.signInWithPassword({ email: 'ada@example.com', password: 'correct horse' })).data.session!;
    const second = (await supabase.auth.refreshSession({ refresh_token: first.refresh_token })).data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).session_id).toBe(decodeJwt(first.access_token).session_id);
    // The same token again at once, while its child is active: a client racing itself gets the child.
    const race = await supabase.auth.refreshSession({ refresh_token: first.refresh_token });
    expect(race.error).toBeNull();
    expect(race.data.session!.refresh_token).toBe(second.refresh_token);
    const third = (await supabase.auth.refreshSession({ refresh_token: second.refresh_token })).data.session!;
    // The first token once more, now two generations old: a replay.
    const replay = await supabase.auth.refreshSession({ refresh_token: first.refresh_token });
    expect(replay.error).toMatchObject({ status: 400, code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });
    const afterReplay = await supabase.auth.refreshSession({ refresh_token: third.refresh_token });
    expect(afterReplay.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    const unknown = await supabase.auth.refreshSession({ refresh_token: 'never-issued' });
    expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
  });

  it('signs out with scopes: others keeps this session, global ends all', async () => {
    const one = client(a);
    const two = client(a);
    const s1 = (await one.auth.signInWithPassword({ email: 'ada@example.com', password: 'correct horse' })).data.session!;
    const s2 = (await two.auth.signInWithPassword({ email: 'ada@example.com', password: 'correct horse' })).data.session!;
    expect((await one.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect((await one.auth.getUser(s1.access_token)).error).toBeNull();
    const ended = await fetch(`${a.url}/auth/v1/user`, { headers: { apikey: a.project.keys.anonKey, Authorization: `Bearer ${s2.access_token}`, 'X-Supabase-Api-Version': '2024-01-01' } });
    expect(ended.status).toBe(403);
    expect(await ended.json()).toEqual({ code: 'session_not_found', message: 'Session from session_id claim in JWT does not exist' });
    expect((await two.auth.getUser(s2.access_token)).error).toMatchObject({ name: 'AuthSessionMissingError' });
    const refreshEnded = await two.auth.refreshSession({ refresh_token: s2.refresh_token });
    expect(refreshEnded.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    const three = client(a);
    const s3 = (await three.auth.signInWithPassword({ email: 'ada@example.com', password: 'correct horse' })).data.session!;
    await three.auth.signOut({ scope: 'global' });
    expect((await one.auth.getUser(s1.access_token)).error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect((await three.auth.getUser(s3.access_token)).error).toMatchObject({ name: 'AuthSessionMissingError' });
  });

  it('refuses an expired, a tampered and another project\'s token with 403 bad_jwt', async () => {
    const supabase = client(a);
    const session = (await supabase.auth.signInWithPassword({ email: 'ada@example.com', password: 'correct horse' })).data.session!;
    const claims = decodeJwt(session.access_token);
    const expired = await signAccessToken({ ...claims, role: 'authenticated', iat: claims.iat! - 7200, exp: claims.iat! - 3600 }, a.project.keys.jwtSecret);
    const [h, p, s] = session.access_token.split('.');
    const tampered = [h, Buffer.from(JSON.stringify({ ...claims, role: 'service_role' })).toString('base64url'), s].join('.');
    const other = (await client(b).auth.signUp({ email: 'bob@example.com', password: 'bob password' })).data.session!.access_token;
    const cases: [string, string, RegExp][] = [
      ['expired', expired, /token is expired/],
      ['tampered', tampered, /signature is invalid/],
      ['another project', other, /signature is invalid/],
    ];
    for (const [name, token, message] of cases) {
      const { error } = await supabase.auth.getUser(token);
      expect(error, name).toMatchObject({ status: 403, code: 'bad_jwt', message: expect.stringMatching(message) });
    }
    const otherRefresh = await supabase.auth.refreshSession({ refresh_token: (await client(b).auth.signInWithPassword({ email: 'bob@example.com', password: 'bob password' })).data.session!.refresh_token });
    expect(otherRefresh.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
  });

  it('updates the password and metadata; the new password signs in, the same one is refused', async () => {
    const supabase = client(a);
    await supabase.auth.signUp({ email: 'carol@example.com', password: 'first password' });
    const same = await supabase.auth.updateUser({ password: 'first password' });
    expect(same.error).toMatchObject({ status: 422, code: 'same_password' });
    const updated = await supabase.auth.updateUser({ password: 'second password', data: { theme: 'dark' } });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toMatchObject({ theme: 'dark', email: 'carol@example.com' });
    expect((await client(a).auth.signInWithPassword({ email: 'carol@example.com', password: 'second password' })).error).toBeNull();
    expect((await client(a).auth.signInWithPassword({ email: 'carol@example.com', password: 'first password' })).error?.code).toBe('invalid_credentials');
  });

  it('signs in anonymously; adding an email makes the user permanent', async () => {
    const supabase = client(a);
    const { data, error } = await supabase.auth.signInAnonymously({ options: { data: { cart: 3 } } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ is_anonymous: true, email: '', user_metadata: { cart: 3 } });
    expect(decodeJwt(data.session!.access_token)).toMatchObject({ is_anonymous: true, role: 'authenticated', amr: [{ method: 'anonymous' }] });
    const upgraded = await supabase.auth.updateUser({ email: 'dan@example.com' });
    expect(upgraded.data.user).toMatchObject({ is_anonymous: false, email: 'dan@example.com' });
  });

  it('answers settings and health, and an unknown path with 404', async () => {
    const headers = { apikey: a.project.keys.anonKey };
    const settings = await (await fetch(`${a.url}/auth/v1/settings`, { headers })).json();
    expect(settings).toMatchObject({ external: { email: true, anonymous_users: true, github: false }, mailer_autoconfirm: true, disable_signup: false });
    expect(await (await fetch(`${a.url}/auth/v1/health`, { headers })).json()).toMatchObject({ name: 'GoTrue' });
    const jwks = await fetch(`${a.url}/auth/v1/.well-known/jwks.json`, { headers });
    expect(await jwks.json()).toEqual({ keys: [] });
    const missing = await fetch(`${a.url}/auth/v1/nothing`, { headers });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error_code: 'not_found' });
    const badJson = await fetch(`${a.url}/auth/v1/signup`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: '{"email":' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error_code: 'bad_json' });
  });

  it('limits password sign-ins per address with 429 over_request_rate_limit', async () => {
    const supabase = client(b);
    await supabase.auth.signUp({ email: 'erin@example.com', password: 'erin password' });
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await supabase.auth.signInWithPassword({ email: 'erin@example.com', password: 'wrong password' })).error);
    expect(results.slice(0, 3).map((e) => e?.code)).toEqual(Array(3).fill('invalid_credentials'));
    expect(results[3]).toMatchObject({ status: 429, code: 'over_request_rate_limit', message: 'Request rate limit reached' });
    // The right password is refused too while the window lasts; another address is not limited by erin's count.
    expect((await supabase.auth.signInWithPassword({ email: 'erin@example.com', password: 'erin password' })).error?.status).toBe(429);
    expect((await supabase.auth.signInWithPassword({ email: 'bob@example.com', password: 'bob password' })).error).toBeNull();
  });
});

describe('project settings, per-IP limits and served keys', () => {
  let c: AuthTestServer;
  const jwk = { kty: 'EC', crv: 'P-256', kid: 'key-1', use: 'sig', alg: 'ES256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
  beforeAll(async () => {
    c = await startAuthTestServer({
      auth: { allowAnonymousSignIns: false },
      service: { mailer: recordingMailer, rateLimits: { signInPerIp: { max: 3, windowS: 300 }, otpPerIp: { max: 2, windowS: 300 } }, jwks: () => [jwk] },
    });
  });
  afterAll(async () => c?.close());

  it('refuses anonymous sign-ins and sign-ups when the project turns them off', async () => {
    expect((await client(c).auth.signInAnonymously()).error).toMatchObject({ status: 422, code: 'anonymous_provider_disabled' });
    c.project.auth.disableSignup = true;
    expect((await client(c).auth.signUp({ email: 'zed@example.com', password: 'zed password' })).error)
      .toMatchObject({ status: 422, code: 'signup_disabled', message: 'Signups not allowed for this instance' });
    c.project.auth.disableSignup = false;
    const settings = await (await fetch(`${c.url}/auth/v1/settings`, { headers: { apikey: c.project.keys.anonKey } })).json();
    expect(settings.external.anonymous_users).toBe(false);
  });

  it('limits sign-ins per client IP with 429 over_request_rate_limit, whatever X-Forwarded-For the client forges', async () => {
    const errors = [];
    for (let i = 0; i < 4; i++) {
      // Each request claims another address; the client wrote the header, so it does not count.
      const forged = supabaseClient(c.url, c.project.keys.anonKey, {}, { 'X-Forwarded-For': `203.0.113.${i + 1}` });
      errors.push((await forged.auth.signInWithPassword({ email: `ip${i}@example.com`, password: 'some password' })).error);
    }
    // This project allows 3 per IP; the refusals above came before the limit and did not count.
    expect(errors.map((e) => e?.status)).toEqual([400, 400, 400, 429]);
    expect(errors[3]).toMatchObject({ code: 'over_request_rate_limit' });
  });

  it('limits mail-sending requests (OTP) per client IP with 429 over_request_rate_limit, whatever X-Forwarded-For says', async () => {
    const errors = [];
    for (let i = 0; i < 3; i++) {
      const forged = supabaseClient(c.url, c.project.keys.anonKey, {}, { 'X-Forwarded-For': `198.51.100.${i + 1}` });
      errors.push((await forged.auth.signInWithOtp({ email: `otp-ip${i}@example.com` })).error);
    }
    // This project allows 2 per IP: two mails go out, the third request is refused.
    expect(errors.map((e) => e?.status ?? 200)).toEqual([200, 200, 429]);
    expect(errors[2]).toMatchObject({ code: 'over_request_rate_limit' });
    expect(sent.map((m) => String(m.to)).filter((to) => to.startsWith('otp-ip')).sort()).toEqual(['otp-ip0@example.com', 'otp-ip1@example.com']);
  });

  it('serves the public keys it is given at /.well-known/jwks.json', async () => {
    const response = await fetch(`${c.url}/auth/v1/.well-known/jwks.json`, { headers: { apikey: c.project.keys.anonKey } });
    expect(await response.json()).toEqual({ keys: [jwk] });
  });
});
