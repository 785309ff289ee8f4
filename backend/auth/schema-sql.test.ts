/**
 * The auth schema as apps written for Supabase use it: a profiles table referencing
 * auth.users(id) ON DELETE CASCADE, filled by the usual trigger on auth.users; and the SQL runs
 * again (as the owner this time) without error or change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../test-support.js';
import { inTransaction } from './db.js';
import { authSchemaSql } from './schema-sql.js';
import { createEmailUser } from './users.js';

const APP_SQL = `
  CREATE TABLE public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE, name text);
  CREATE FUNCTION public.handle_new_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
  BEGIN
    INSERT INTO public.profiles (id, name) VALUES (new.id, new.raw_user_meta_data ->> 'name');
    RETURN new;
  END $$;
  CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.handle_new_user();
`;

let t: TestProject;
beforeAll(async () => {
  t = await createTestProject();
  for (const statement of authSchemaSql(t.project.ref)) await t.adminSql.unsafe(statement);
});
afterAll(async () => t?.drop());

describe('authSchemaSql', () => {
  it('is idempotent, also when the owner runs it', async () => {
    const before = await t.adminSql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'auth' ORDER BY 1`;
    for (const statement of authSchemaSql(t.project.ref)) await t.project.sql.unsafe(statement);
    const after = await t.adminSql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'auth' ORDER BY 1`;
    expect(after).toEqual(before);
    expect(after.map((r) => r.table_name)).toEqual(['flow_state', 'identities', 'mfa_amr_claims', 'one_time_tokens', 'refresh_tokens', 'sessions', 'users']);
  });

  it('takes the Supabase profiles pattern: a trigger on auth.users and a cascading foreign key', async () => {
    await t.project.sql.unsafe(APP_SQL);
    const user = await inTransaction(t.project.sql, (tx) => createEmailUser(tx, {
      email: 'ada@example.com', encryptedPassword: null, confirmed: true, appMetadata: {}, userMetadata: { name: 'Ada' } }));
    expect(await t.adminSql`SELECT id, name FROM public.profiles`).toEqual([{ id: user.id, name: 'Ada' }]);
    expect(user.confirmed_at).toEqual(user.email_confirmed_at);
    await t.project.sql`DELETE FROM auth.users WHERE id = ${user.id}`;
    expect(await t.adminSql`SELECT id FROM public.profiles`).toEqual([]);
  });

  it('keeps auth tables away from the request roles', async () => {
    const [grant] = await t.adminSql`SELECT has_table_privilege('anon', 'auth.users', 'SELECT') AS anon,
      has_table_privilege('authenticated', 'auth.refresh_tokens', 'SELECT') AS authenticated`;
    expect(grant).toEqual({ anon: false, authenticated: false });
  });
});
