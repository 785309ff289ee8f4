/**
 * The first request of a release in a deployment's phases, on the test run's real PostgreSQL:
 * the writer keeps the first report of a release, skips releases made before it started, and
 * `first-request` joins the deployment's timed phases (GET /deployments/{id}, deployments:trace).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { listDeploymentPhases, saveDeploymentPhases } from '../../core/store/deployment-phases.js';
import { createDeployment } from '../../core/store/deployments.js';
import { createRelease } from '../../core/store/releases.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { FirstRequestWriter } from './first-requests.js';

let db: TestDatabase;
let appId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  appId = (await createApp(db.sql, parseAppName('shop'))).id;
});
afterAll(async () => {
  await db?.drop();
});

async function deployRelease(): Promise<{ deploymentId: number; version: number }> {
  const { deployment } = await createDeployment(db.sql, { id: appId }, { ref: 'main', sha: 'a'.repeat(40) });
  const release = await createRelease(db.sql, {
    appId, deploymentId: deployment.id, sha: deployment.sha, config: {}, description: 'deploy',
    artifact: { kind: 'slug', dir: '/nonexistent', processes: { web: 'true' }, env: {} },
  });
  return { deploymentId: deployment.id, version: release.version };
}

describe('FirstRequestWriter', () => {
  it("adds the release's first request to its deployment's phases, once, after the route switch", async () => {
    const writer = new FirstRequestWriter(db.sql, new Date(Date.now() - 60_000));
    const { deploymentId, version } = await deployRelease();
    const switchAt = new Date(Date.now() - 5_000);
    await saveDeploymentPhases(db.sql, deploymentId, [
      { phase: 'build', startedAt: new Date(switchAt.getTime() - 3_000), ms: 2_000 },
      { phase: 'switch', startedAt: switchAt, ms: 4 },
    ]);
    expect((await listDeploymentPhases(db.sql, deploymentId)).map((p) => p.phase)).toEqual(['build', 'switch']);
    const servedAt = switchAt.getTime() + 1_500;
    await writer.recordFirstRequest({ app: 'shop', release: version, startMs: servedAt + 0.4, durationMs: 12.6 });
    // A restarted router reports the release again: the first report stays.
    await writer.recordFirstRequest({ app: 'shop', release: version, startMs: servedAt + 60_000, durationMs: 1 });
    expect(await listDeploymentPhases(db.sql, deploymentId)).toEqual([
      { phase: 'build', startedAt: new Date(switchAt.getTime() - 3_000), ms: 2_000 },
      { phase: 'switch', startedAt: switchAt, ms: 4 },
      { phase: 'first-request', startedAt: new Date(servedAt), ms: 13 },
    ]);
  });

  it('skips releases made before it started, releases that do not exist, and other apps', async () => {
    const { deploymentId, version } = await deployRelease();
    const writer = new FirstRequestWriter(db.sql, new Date(Date.now() + 60_000));
    await writer.recordFirstRequest({ app: 'shop', release: version, startMs: Date.now(), durationMs: 3 });
    await writer.recordFirstRequest({ app: 'shop', release: version + 10, startMs: Date.now(), durationMs: 3 });
    await writer.recordFirstRequest({ app: 'nope', release: version, startMs: Date.now(), durationMs: 3 });
    expect(await listDeploymentPhases(db.sql, deploymentId)).toEqual([]);
    expect((await db.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM release_first_requests`)[0]!.n).toBe(1);
  });
});
