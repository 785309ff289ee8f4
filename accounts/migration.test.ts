import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { migrate } from '../core/store/database.js';
import { MIGRATIONS } from '../core/store/migrations.js';
import { ensureAdminToken } from '../core/store/tokens.js';
import { accessFromSecret, createPerson } from './index.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => db.drop());

describe('migrations 035-036 on an install with data', () => {
  it('moves existing apps to the default team and keeps the admin token working as the owner’s', async () => {
    await migrate(db.sql, MIGRATIONS.filter((m) => m.version < 35));
    const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-m035-')), 'admin-token');
    const admin = await ensureAdminToken(db.sql, file);
    const [shop] = await db.sql<{ id: number }[]>`INSERT INTO apps (name) VALUES ('shop') RETURNING id`;
    await db.sql`INSERT INTO config_vars (app_id, key, value) VALUES (${shop!.id}, 'A', '1')`;

    // Migrations from 35 on run now (other features' later ones beside 35 and 36).
    expect(await migrate(db.sql, MIGRATIONS)).toEqual(MIGRATIONS.filter((m) => m.version >= 35).map((m) => m.version));

    const apps = await db.sql`SELECT a.name, t.name AS team FROM apps a JOIN teams t ON t.id = a.team_id`;
    expect(apps).toEqual([{ name: 'shop', team: 'default' }]);
    expect((await accessFromSecret(db.sql, admin))).toMatchObject({ actor: 'admin', teams: 'all', scopes: ['admin'] });

    const owner = await createPerson(db.sql, 'owner@example.com', 'a long password');
    expect(owner.first).toBe(true);
    expect((await accessFromSecret(db.sql, admin))).toMatchObject({ actor: 'owner@example.com', teams: 'all', personId: owner.id });
    const second = await createPerson(db.sql, 'two@example.com', 'a long password');
    expect(second.first).toBe(false);
    expect(second.operator).toBe(false);
  });

  it('gives a preview its parent’s team', async () => {
    await db.sql`INSERT INTO teams (name) VALUES ('acme')`;
    const [parent] = await db.sql<{ id: number }[]>`INSERT INTO apps (name, team_id) VALUES ('web', (SELECT id FROM teams WHERE name = 'acme')) RETURNING id`;
    await db.sql`INSERT INTO apps (name, parent_id) VALUES ('pv-abc123', ${parent!.id})`;
    const [preview] = await db.sql`SELECT t.name FROM apps a JOIN teams t ON t.id = a.team_id WHERE a.name = 'pv-abc123'`;
    expect(preview!.name).toBe('acme');
  });

  it('keeps the audit log append-only', async () => {
    await db.sql`INSERT INTO audit_log (actor, action) VALUES ('ada', 'deploy')`;
    await expect(db.sql`UPDATE audit_log SET actor = 'eve'`).rejects.toThrow(/append-only/);
    await expect(db.sql`DELETE FROM audit_log`).rejects.toThrow(/append-only/);
  });
});
