/**
 * The admin API with the service-role key, through supabase-js's auth.admin, and its refusal of
 * every other key; plus banUntil and the pagination Link header as pure functions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banUntil, paginationLink } from './handlers/admin.js';
import { startAuthTestServer, supabaseClient, type AuthTestServer } from './test-support.js';

let t: AuthTestServer;
beforeAll(async () => {
  t = await startAuthTestServer({ service: { mailer: { send: async () => { throw new Error('the admin API sends no mail'); } } } });
});
afterAll(async () => t?.close());

const admin = () => supabaseClient(t.url, t.project.keys.serviceRoleKey).auth.admin;

describe('admin API (service role)', () => {
  it('creates, lists, reads, updates and deletes users', async () => {
    const created = await admin().createUser({ email: 'Ada@Example.com', password: 'ada password', email_confirm: true,
      user_metadata: { name: 'Ada' }, app_metadata: { plan: 'pro' } });
    expect(created.error).toBeNull();
    expect(created.data.user).toMatchObject({ email: 'ada@example.com', user_metadata: { name: 'Ada' }, app_metadata: { plan: 'pro', provider: 'email' } });
    expect(created.data.user?.email_confirmed_at).toBeTruthy();
    const id = created.data.user!.id;
    const duplicate = await admin().createUser({ email: 'ada@example.com', password: 'x password' });
    expect(duplicate.error).toMatchObject({ status: 422, code: 'email_exists' });
    for (const n of [1, 2]) await admin().createUser({ email: `user${n}@example.com`, password: 'some password' });

    const page = await admin().listUsers({ page: 1, perPage: 2 });
    expect(page.error).toBeNull();
    expect(page.data.users).toHaveLength(2);
    expect(page.data).toMatchObject({ total: 3, nextPage: 2, lastPage: 2 });

    expect((await admin().getUserById(id)).data.user?.email).toBe('ada@example.com');
    const missing = await admin().getUserById('00000000-0000-4000-8000-000000000000');
    expect(missing.error).toMatchObject({ status: 404, code: 'user_not_found' });

    const updated = await admin().updateUserById(id, { password: 'new ada password', user_metadata: { name: 'Ada L' }, ban_duration: '24h' });
    expect(updated.data.user?.user_metadata).toMatchObject({ name: 'Ada L' });
    const banned = await supabaseClient(t.url, t.project.keys.anonKey).auth.signInWithPassword({ email: 'ada@example.com', password: 'new ada password' });
    expect(banned.error).toMatchObject({ status: 400, code: 'user_banned' });
    await admin().updateUserById(id, { ban_duration: 'none' });
    const session = await supabaseClient(t.url, t.project.keys.anonKey).auth.signInWithPassword({ email: 'ada@example.com', password: 'new ada password' });
    expect(session.error).toBeNull();

    expect((await admin().deleteUser(id)).error).toBeNull();
    expect((await admin().getUserById(id)).error?.code).toBe('user_not_found');
    const sessions = await t.adminSql`SELECT 1 FROM auth.sessions WHERE user_id = ${id}`;
    expect(sessions).toHaveLength(0);
  });

  it('generates a magic link without sending it; its token signs in', async () => {
    await admin().createUser({ email: 'link@example.com', email_confirm: true });
    const { data, error } = await admin().generateLink({ type: 'magiclink', email: 'link@example.com', options: { redirectTo: 'http://localhost:3000/in' } });
    expect(error).toBeNull();
    expect(data.properties).toMatchObject({ verification_type: 'magiclink', redirect_to: 'http://localhost:3000/in' });
    expect(data.properties?.action_link).toContain(`${t.url}/auth/v1/verify?token=${data.properties?.hashed_token}`);
    expect(data.properties?.email_otp).toMatch(/^\d{6}$/);
    expect(data.user?.email).toBe('link@example.com');
    const anon = supabaseClient(t.url, t.project.keys.anonKey);
    const verified = await anon.auth.verifyOtp({ token_hash: data.properties!.hashed_token, type: 'magiclink' });
    expect(verified.error).toBeNull();
    expect(verified.data.user?.email).toBe('link@example.com');
  });

  it('generates a signup link that creates the unconfirmed user', async () => {
    const { data, error } = await admin().generateLink({ type: 'signup', email: 'later@example.com', password: 'later password' });
    expect(error).toBeNull();
    expect(data.user?.email_confirmed_at).toBeUndefined();
    expect(data.properties?.verification_type).toBe('signup');
  });

  it('refuses the anon key and a user\'s token with 403 not_admin', async () => {
    const anon = supabaseClient(t.url, t.project.keys.anonKey);
    expect((await anon.auth.admin.listUsers()).error).toMatchObject({ status: 403, code: 'not_admin', message: 'User not allowed' });
    const { data } = await anon.auth.signUp({ email: 'eve@example.com', password: 'eve password' });
    const asUser = supabaseClient(t.url, data.session!.access_token);
    expect((await asUser.auth.admin.createUser({ email: 'x@example.com' })).error).toMatchObject({ status: 403, code: 'not_admin' });
  });
});

describe('banUntil', () => {
  const now = Date.UTC(2026, 0, 1);
  const cases: { value: unknown; expected: Date | null | undefined }[] = [
    { value: undefined, expected: undefined },
    { value: 'none', expected: null },
    { value: '24h', expected: new Date(now + 24 * 3600_000) },
    { value: '30m', expected: new Date(now + 30 * 60_000) },
    { value: '90s', expected: new Date(now + 90_000) },
  ];
  for (const c of cases) it(String(c.value), () => expect(banUntil(c.value, now)).toEqual(c.expected));
  it('refuses other forms', () => expect(() => banUntil('forever', now)).toThrow(/ban duration/));
});

describe('paginationLink', () => {
  it('names next and last pages as GoTrue does', () => {
    expect(paginationLink('/admin/users', 1, 2, 3)).toBe('</admin/users?page=2&per_page=2>; rel="next", </admin/users?page=2&per_page=2>; rel="last"');
    expect(paginationLink('/admin/users', 2, 2, 3)).toBe('</admin/users?page=2&per_page=2>; rel="last"');
    expect(paginationLink('/admin/users', 1, 50, 0)).toBe('</admin/users?page=1&per_page=50>; rel="last"');
  });
});
