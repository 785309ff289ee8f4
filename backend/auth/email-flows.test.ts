/**
 * Email confirmation, magic links and codes, password recovery and PKCE, with mails sent over
 * real SMTP to the embedded catcher (smtp-server) and read back from its table, as a developer
 * would read them in the CLI or dashboard; supabase-js from npm is the client.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { caughtMailSql, listCaughtMail, startMailCatcher, type MailCatcher } from '../../core/mail/catcher.js';
import { smtpMailer } from '../../core/mail/smtp.js';
import { startAuthTestServer, supabaseClient, type AuthTestServer } from './test-support.js';

let catcher: MailCatcher;
let t: AuthTestServer;
let store: TestDatabase;

async function latestMail(to: string) {
  const [mail] = await listCaughtMail(store.sql, { to, limit: 1 });
  if (!mail) throw new Error(`no mail to ${to}`);
  const link = /(http:\/\/\S+\/auth\/v1\/verify\?\S+)/.exec(mail.text)?.[1];
  const code = /code: (\d{6})/.exec(mail.text)?.[1];
  return { mail, link: link!, code: code! };
}

async function follow(link: string): Promise<URL> {
  // A browser following the link: no apikey.
  const response = await fetch(link, { redirect: 'manual' });
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location')!);
}

const anon = () => supabaseClient(t.url, t.project.keys.anonKey);

beforeAll(async () => {
  // The catcher stores into a database of its own, as DevFlow's store would hold it.
  store = await createTestDatabase({ migrate: false });
  for (const statement of caughtMailSql()) await store.sql.unsafe(statement);
  catcher = await startMailCatcher({ sql: store.sql });
  t = await startAuthTestServer({
    auth: { mailerAutoconfirm: false },
    service: { mailer: smtpMailer(catcher.url), rateLimits: { signInPerIp: { max: 1000, windowS: 300 }, otpPerIp: { max: 1000, windowS: 300 }, otpPerEmail: { max: 3, windowS: 3600 } } },
  });
});
afterAll(async () => {
  await catcher?.close();
  await t?.close();
  await store?.drop();
});

describe('email confirmation on (mailer autoconfirm off)', () => {
  it('signs up without a session, refuses sign-in until the mailed link confirms, which redirects with tokens', async () => {
    const supabase = anon();
    const { data, error } = await supabase.auth.signUp({ email: 'ada@example.com', password: 'correct horse', options: { emailRedirectTo: 'http://localhost:3000/welcome' } });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user).toMatchObject({ email: 'ada@example.com' });
    expect(data.user?.email_confirmed_at).toBeUndefined();
    expect(data.user?.confirmation_sent_at).toBeTruthy();
    const refused = await supabase.auth.signInWithPassword({ email: 'ada@example.com', password: 'correct horse' });
    expect(refused.error).toMatchObject({ status: 400, code: 'email_not_confirmed', message: 'Email not confirmed' });
    const { mail, link } = await latestMail('ada@example.com');
    expect(mail).toMatchObject({ project: t.project.ref, subject: 'Confirm your signup', recipients: ['ada@example.com'] });
    const landed = await follow(link);
    expect(landed.origin + landed.pathname).toBe('http://localhost:3000/welcome');
    const fragment = new URLSearchParams(landed.hash.slice(1));
    expect(fragment.get('type')).toBe('signup');
    expect(fragment.get('token_type')).toBe('bearer');
    const me = await supabase.auth.getUser(fragment.get('access_token')!);
    expect(me.data.user?.email_confirmed_at).toBeTruthy();
    expect((await supabase.auth.signInWithPassword({ email: 'ada@example.com', password: 'correct horse' })).error).toBeNull();
    // A used link is spent: the app is sent back with Supabase's error fragment.
    const again = new URLSearchParams((await follow(link)).hash.slice(1));
    expect(Object.fromEntries(again)).toMatchObject({ error: 'access_denied', error_code: 'otp_expired' });
  });

  it('a second sign-up of a confirmed address looks like a first one (no account enumeration)', async () => {
    const { data, error } = await anon().auth.signUp({ email: 'ada@example.com', password: 'another password' });
    expect(error).toBeNull();
    expect(data.user?.identities).toEqual([]);
    expect((await anon().auth.signInWithPassword({ email: 'ada@example.com', password: 'another password' })).error?.code).toBe('invalid_credentials');
  });

  it('signs in with a mailed code; a wrong code is refused with 403 otp_expired', async () => {
    const supabase = anon();
    expect((await supabase.auth.signInWithOtp({ email: 'ada@example.com' })).error).toBeNull();
    const { mail, code } = await latestMail('ada@example.com');
    expect(mail.subject).toBe('Your sign-in link');
    const wrong = await supabase.auth.verifyOtp({ email: 'ada@example.com', token: code === '000000' ? '111111' : '000000', type: 'email' });
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Token has expired or is invalid' });
    const { data, error } = await supabase.auth.verifyOtp({ email: 'ada@example.com', token: code, type: 'email' });
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe('ada@example.com');
    expect(decodeJwt(data.session!.access_token).amr).toEqual([expect.objectContaining({ method: 'otp' })]);
  });

  it('limits mails per address with 429 over_email_send_rate_limit (this project: 3 an hour)', async () => {
    await anon().auth.signUp({ email: 'flood@example.com', password: 'flood password' });
    expect((await anon().auth.signInWithOtp({ email: 'flood@example.com' })).error).toBeNull();
    expect((await anon().auth.signInWithOtp({ email: 'flood@example.com' })).error).toBeNull();
    const refused = await anon().auth.signInWithOtp({ email: 'flood@example.com' });
    expect(refused.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
    expect(await listCaughtMail(store.sql, { to: 'flood@example.com' })).toHaveLength(3);
  });

  it('creates the user of an unknown address on OTP unless told not to', async () => {
    const refused = await anon().auth.signInWithOtp({ email: 'new@example.com', options: { shouldCreateUser: false } });
    expect(refused.error).toMatchObject({ status: 422, code: 'otp_disabled' });
    expect((await anon().auth.signInWithOtp({ email: 'new@example.com' })).error).toBeNull();
    const { mail, code } = await latestMail('new@example.com');
    expect(mail.subject).toBe('Confirm your signup');
    const { data } = await anon().auth.verifyOtp({ email: 'new@example.com', token: code, type: 'email' });
    expect(data.user).toMatchObject({ email: 'new@example.com' });
    expect(data.user?.email_confirmed_at).toBeTruthy();
  });

  it('recovers a password: the same answer for unknown addresses, a code that signs in, a new password', async () => {
    const supabase = anon();
    expect((await supabase.auth.resetPasswordForEmail('nobody@example.com')).error).toBeNull();
    expect(await listCaughtMail(store.sql, { to: 'nobody@example.com' })).toEqual([]);
    await supabase.auth.signUp({ email: 'bob@example.com', password: 'bob password' });
    await follow((await latestMail('bob@example.com')).link);
    expect((await supabase.auth.resetPasswordForEmail('bob@example.com', { redirectTo: 'http://localhost:3000/reset' })).error).toBeNull();
    const { mail, code } = await latestMail('bob@example.com');
    expect(mail.subject).toBe('Reset your password');
    const recovered = await supabase.auth.verifyOtp({ email: 'bob@example.com', token: code, type: 'recovery' });
    expect(recovered.error).toBeNull();
    expect((await supabase.auth.updateUser({ password: 'bob new password' })).error).toBeNull();
    expect((await anon().auth.signInWithPassword({ email: 'bob@example.com', password: 'bob new password' })).error).toBeNull();
  });

  it('PKCE: a magic link lands on the app with ?code=, which the same client trades for a session', async () => {
    const supabase = supabaseClient(t.url, t.project.keys.anonKey, { flowType: 'pkce' });
    await anon().auth.signUp({ email: 'pkce@example.com', password: 'pkce password' });
    await follow((await latestMail('pkce@example.com')).link);
    expect((await supabase.auth.signInWithOtp({ email: 'pkce@example.com', options: { emailRedirectTo: 'http://localhost:3000/cb' } })).error).toBeNull();
    const { link } = await latestMail('pkce@example.com');
    expect(new URL(link).searchParams.get('token')).toMatch(/^pkce_/);
    const landed = await follow(link);
    expect(landed.hash).toBe('');
    const code = landed.searchParams.get('code')!;
    const stranger = supabaseClient(t.url, t.project.keys.anonKey, { flowType: 'pkce' });
    expect((await stranger.auth.exchangeCodeForSession(code)).error).toBeTruthy();
    const { data, error } = await supabase.auth.exchangeCodeForSession(code);
    expect(error).toBeNull();
    expect(data.user?.email).toBe('pkce@example.com');
    const reused = await fetch(`${t.url}/auth/v1/token?grant_type=pkce`, { method: 'POST',
      headers: { apikey: t.project.keys.anonKey, 'Content-Type': 'application/json', 'X-Supabase-Api-Version': '2024-01-01' },
      body: JSON.stringify({ auth_code: code, code_verifier: 'x'.repeat(43) }) });
    expect(reused.status).toBe(404);
    expect(await reused.json()).toMatchObject({ code: 'flow_state_not_found' });
  });

  it('an email change is confirmed from a mail to the new address', async () => {
    const supabase = anon();
    await supabase.auth.signUp({ email: 'old@example.com', password: 'old password' });
    await supabase.auth.verifyOtp({ email: 'old@example.com', token: (await latestMail('old@example.com')).code, type: 'signup' });
    const pending = await supabase.auth.updateUser({ email: 'Renamed@Example.com' });
    expect(pending.error).toBeNull();
    expect(pending.data.user).toMatchObject({ email: 'old@example.com', new_email: 'renamed@example.com' });
    const { code } = await latestMail('renamed@example.com');
    const changed = await supabase.auth.verifyOtp({ email: 'renamed@example.com', token: code, type: 'email_change' });
    expect(changed.error).toBeNull();
    expect(changed.data.user).toMatchObject({ email: 'renamed@example.com' });
    const taken = await supabase.auth.updateUser({ email: 'ada@example.com' });
    expect(taken.error).toMatchObject({ status: 422, code: 'email_exists' });
  });
});
