import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inRequestTransaction } from './session.js';
import { createTestProject, type TestProject } from './test-support.js';

const SETUP = `
  CREATE TABLE notes (id serial PRIMARY KEY, owner uuid NOT NULL, body text NOT NULL);
  ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own ON notes FOR ALL TO authenticated USING (owner = auth.uid()) WITH CHECK (owner = auth.uid());
  INSERT INTO notes (owner, body) VALUES
    ('11111111-1111-1111-1111-111111111111', 'ada'), ('22222222-2222-2222-2222-222222222222', 'bob');
`;
const ADA = '11111111-1111-1111-1111-111111111111';

describe('inRequestTransaction', () => {
  let t: TestProject;
  beforeAll(async () => {
    t = await createTestProject({ setupSql: SETUP });
  });
  afterAll(async () => t?.drop());

  it('runs in the token role with its claims, so a Supabase RLS policy applies', async () => {
    const who = { role: 'authenticated' as const, claims: { role: 'authenticated', sub: ADA, email: 'ada@example.com', app_metadata: { provider: 'email' } } };
    const rows = await inRequestTransaction(t.project.sql, who, { readOnly: true }, async (tx) => tx`
      SELECT body, auth.uid() AS uid, auth.role() AS role, current_user AS db_role,
        auth.jwt() ->> 'email' AS email, auth.jwt() -> 'app_metadata' ->> 'provider' AS provider FROM notes`);
    expect(rows).toEqual([{ body: 'ada', uid: ADA, role: 'authenticated', db_role: 'authenticated', email: 'ada@example.com', provider: 'email' }]);
  });

  it('anon sees nothing the policy does not grant; service_role bypasses row-level security', async () => {
    const anon = await inRequestTransaction(t.project.sql, { role: 'anon', claims: { role: 'anon' } }, { readOnly: true },
      async (tx) => tx`SELECT body FROM notes`);
    expect(anon).toEqual([]);
    const service = await inRequestTransaction(t.project.sql, { role: 'service_role', claims: { role: 'service_role' } },
      { readOnly: true }, async (tx) => tx`SELECT body FROM notes ORDER BY id`);
    expect(service.map((r) => r.body)).toEqual(['ada', 'bob']);
  });

  it('read-only requests cannot write, and the role does not outlive the transaction', async () => {
    const who = { role: 'authenticated' as const, claims: { role: 'authenticated', sub: ADA } };
    await expect(inRequestTransaction(t.project.sql, who, { readOnly: true },
      async (tx) => tx`INSERT INTO notes (owner, body) VALUES (${ADA}, 'x')`)).rejects.toMatchObject({ code: '25006' });
    const [after] = await t.project.sql`SELECT current_user AS db_role, current_setting('request.jwt.claims', true) AS claims`;
    expect(after?.db_role).toBe(t.project.ref);
    expect(after?.claims ?? '').toBe('');
  });
});
