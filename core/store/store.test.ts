import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { parseAppName } from '../names.js';
import { createApp, deleteApp, getApp, getFormation, listApps, setCurrentRelease } from './apps.js';
import { MIGRATIONS } from './migrations.js';
import { migrate } from './database.js';
import { appendDeploymentLog, createDeployment, getDeployment, readDeploymentLog, transitionDeployment } from './deployments.js';
import { createRelease, currentReleaseHealthchecks, listReleases } from './releases.js';
import { ensureAdminToken, verifyToken } from './tokens.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.drop());

describe('store', () => {
  it('migrations are idempotent', async () => {
    expect(await migrate(db.sql, MIGRATIONS)).toEqual([]);
  });

  it('creates, lists and deletes apps with a default web formation', async () => {
    const app = await createApp(db.sql, parseAppName('store-a'));
    expect(app.name).toBe('store-a');
    await expect(createApp(db.sql, parseAppName('store-a'))).rejects.toThrow(/already exists/);
    expect((await listApps(db.sql)).map((a) => a.name)).toContain('store-a');
    expect(await getFormation(db.sql, app.id)).toEqual([{ processType: 'web', replicas: 1, size: 'standard' }]);
    await deleteApp(db.sql, app.name);
    await expect(getApp(db.sql, app.name)).rejects.toThrow(/does not exist: create it/);
  });

  it('a newer deployment supersedes a queued one, never a running one', async () => {
    const app = await createApp(db.sql, parseAppName('store-b'));
    const first = await createDeployment(db.sql, app, { ref: 'refs/heads/main', sha: 'a'.repeat(40) });
    const second = await createDeployment(db.sql, app, { ref: 'refs/heads/main', sha: 'b'.repeat(40) });
    expect(second.superseded).toEqual([first.deployment.id]);
    expect((await getDeployment(db.sql, first.deployment.id)).state).toBe('superseded');
    expect(await transitionDeployment(db.sql, first.deployment.id, 'queued', 'building')).toBe(false);
    expect(await transitionDeployment(db.sql, second.deployment.id, 'queued', 'building')).toBe(true);
    const third = await createDeployment(db.sql, app, { ref: 'refs/heads/main', sha: 'c'.repeat(40) });
    expect(third.superseded).toEqual([]);
    expect((await getDeployment(db.sql, second.deployment.id)).state).toBe('building');
    await expect(transitionDeployment(db.sql, 1, 'succeeded', 'building')).rejects.toThrow(/invalid deployment transition/);
  });

  it('keeps deployment logs in order', async () => {
    const app = await createApp(db.sql, parseAppName('store-c'));
    const { deployment } = await createDeployment(db.sql, app, { ref: 'refs/heads/main', sha: 'd'.repeat(40) });
    for (let i = 0; i < 5; i++) await appendDeploymentLog(db.sql, deployment.id, i, `line ${i}`);
    expect((await readDeploymentLog(db.sql, deployment.id, 2)).map((l) => l.line)).toEqual(['line 3', 'line 4']);
  });

  it('numbers releases per app', async () => {
    const app = await createApp(db.sql, parseAppName('store-d'));
    const artifact = { kind: 'image' as const, image: 'x', processes: { web: '' } };
    const r1 = await createRelease(db.sql, { appId: app.id, deploymentId: null, sha: null, artifact, config: {}, description: 'one' });
    const r2 = await createRelease(db.sql, { appId: app.id, deploymentId: null, sha: null, artifact, config: { A: '1' }, description: 'two' });
    expect([r1.version, r2.version]).toEqual([1, 2]);
    expect((await listReleases(db.sql, app.id)).map((r) => [r.version, r.config])).toEqual([[2, { A: '1' }], [1, {}]]);
  });

  it('reads the app.json health checks of each app\'s current release, not of its other releases', async () => {
    const check = { path: '/health', attempts: 5, timeout: 3, wait: 2, initialDelay: 0 };
    const plain = { kind: 'image' as const, image: 'x', processes: { web: '' } };
    const release = (appId: number, artifact: typeof plain & { healthchecks?: typeof check[] }) =>
      createRelease(db.sql, { appId, deploymentId: null, sha: null, artifact, config: {}, description: 'r' });
    const checked = await createApp(db.sql, parseAppName('store-hc-a'));
    await release(checked.id, plain);
    await release(checked.id, { ...plain, healthchecks: [check] });
    await setCurrentRelease(db.sql, checked.id, 2);
    // Rolled back to a release without checks: the newer release's checks no longer apply.
    const rolledBack = await createApp(db.sql, parseAppName('store-hc-b'));
    await release(rolledBack.id, plain);
    await release(rolledBack.id, { ...plain, healthchecks: [check] });
    await setCurrentRelease(db.sql, rolledBack.id, 1);
    const neverReleased = await createApp(db.sql, parseAppName('store-hc-c'));
    await release(neverReleased.id, { ...plain, healthchecks: [check] });

    const checks = await currentReleaseHealthchecks(db.sql);
    expect(checks.get(checked.id)).toEqual([check]);
    expect(checks.has(rolledBack.id)).toBe(false);
    expect(checks.has(neverReleased.id)).toBe(false);
  });

  it('creates the admin token once, stores only its hash, and verifies it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-token-'));
    const file = path.join(dir, 'admin-token');
    const token = await ensureAdminToken(db.sql, file);
    expect(await ensureAdminToken(db.sql, file)).toBe(token);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await verifyToken(db.sql, token)).toEqual({ name: 'admin', scopes: ['admin'] });
    expect(await verifyToken(db.sql, `${token}x`)).toBeUndefined();
    const rows = await db.sql`SELECT hash FROM tokens`;
    expect(JSON.stringify(rows)).not.toContain(token);
    await fs.rm(dir, { recursive: true });
  });
});
