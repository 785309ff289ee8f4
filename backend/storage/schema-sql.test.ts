import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../test-support.js';
import { storageSchemaSql } from './schema-sql.js';

describe('storageSchemaSql', () => {
  let t: TestProject;
  beforeAll(async () => {
    t = await createTestProject();
    // Twice: provisioning runs it on every start.
    for (let round = 0; round < 2; round++) {
      for (const statement of storageSchemaSql(t.project.ref)) await t.adminSql.unsafe(statement);
    }
    // And as the owner itself, should provisioning run it on the owner's pool.
    for (const statement of storageSchemaSql(t.project.ref)) await t.project.sql.unsafe(statement);
  });
  afterAll(async () => t?.drop());

  it('has the path helpers as Supabase shapes them', async () => {
    const [row] = await t.project.sql`SELECT
      storage.foldername('u1/pics/me.png') AS folders, storage.foldername('me.png') AS none,
      storage.filename('u1/pics/me.png') AS file, storage.extension('u1/me.tar.gz') AS ext, storage.extension('u1/README') AS bare`;
    expect(row).toEqual({ folders: ['u1', 'pics'], none: [], file: 'me.png', ext: 'gz', bare: 'README' });
  });

  it('turns row-level security on, grants the request roles, and gives the tables to the owner', async () => {
    const tables = await t.adminSql`
      SELECT c.relname, c.relrowsecurity, pg_get_userbyid(c.relowner) AS owner,
        has_table_privilege('authenticated', c.oid, 'INSERT') AS auth_insert, has_table_privilege('anon', c.oid, 'SELECT') AS anon_select
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'storage' AND c.relkind = 'r' ORDER BY c.relname`;
    expect(tables).toEqual([
      { relname: 'buckets', relrowsecurity: true, owner: t.project.ref, auth_insert: true, anon_select: true },
      { relname: 'objects', relrowsecurity: true, owner: t.project.ref, auth_insert: true, anon_select: true },
    ]);
  });

  it('shows a user nothing without a policy', async () => {
    await t.project.sql`INSERT INTO storage.buckets (id, name) VALUES ('b', 'b')`;
    const seen = await t.project.sql.begin(async (tx) => {
      await tx`SET LOCAL ROLE authenticated`;
      return tx`SELECT id FROM storage.buckets`;
    });
    expect(seen).toEqual([]);
  });
});
