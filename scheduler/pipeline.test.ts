/**
 * The pipeline against real parts (PostgreSQL, the builder on the host, the process runtime):
 * two deployments of one app never build at the same time, even when both are running; every
 * phase is timed, stored and logged.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { EventBus } from '../core/events.js';
import { parseAppName } from '../core/names.js';
import { createApp } from '../core/store/apps.js';
import { listDeploymentPhases } from '../core/store/deployment-phases.js';
import { createDeployment, getDeployment, readDeploymentLog } from '../core/store/deployments.js';
import { cleanupRuntime } from '../tests/support/cleanup.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import type { SchedulerDeps } from './deps.js';
import { DEFAULT_HEALTH_CHECK } from './health.js';
import { runDeployment, sourceTarPath } from './pipeline.js';
import { ProcessRuntime } from './runtime/process.js';

const FIXTURE = path.resolve(import.meta.dirname, '../tests/fixtures/slow-build');

let db: TestDatabase;
let deps: SchedulerDeps;
let home: string;

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-pipeline-'));
  const bus = new EventBus(db.url, db.sql);
  await bus.start();
  deps = {
    config: loadConfig({ DEVFLOW_HOME: home }), sql: db.sql, bus, runtime: new ProcessRuntime({ home }),
    docker: undefined, routes: { refresh: async () => {} }, healthCheck: DEFAULT_HEALTH_CHECK, drainMs: 0, stopGraceMs: 2000,
  };
});
afterAll(async () => {
  await deps.bus.close();
  await cleanupRuntime(home);
  await db.drop();
});

async function queueDeployment(appId: number, sha: string): Promise<number> {
  const { deployment } = await createDeployment(db.sql, { id: appId }, { ref: 'refs/heads/main', sha, trigger: 'api' });
  const tar = sourceTarPath(home, deployment.id);
  await fs.mkdir(path.dirname(tar), { recursive: true });
  await execa('tar', ['-c', '-f', tar, '-C', FIXTURE, '.']);
  return deployment.id;
}

describe('runDeployment', () => {
  it('never builds two deployments of one app at once', async () => {
    const app = await createApp(db.sql, parseAppName('serial'));
    const first = await queueDeployment(app.id, 'a'.repeat(40));
    const running = runDeployment(deps, first);
    while ((await getDeployment(db.sql, first)).state === 'queued') await new Promise((r) => setTimeout(r, 50));
    const second = await queueDeployment(app.id, 'b'.repeat(40));
    await Promise.all([running, runDeployment(deps, second)]);

    // The fixture's build fails if another build of it runs at the same time. The lock ends once
    // the release is live (the old instances retire after it), so that is where the first ends.
    expect((await getDeployment(db.sql, first)).state).toBe('succeeded');
    expect((await getDeployment(db.sql, second)).state).toBe('succeeded');
    const [bounds] = await db.sql<{ first_end: Date; second_start: Date }[]>`
      SELECT (SELECT max(at) FROM deployment_logs WHERE deployment_id = ${first} AND line LIKE '% is live at %') AS first_end,
             (SELECT min(at) FROM deployment_logs WHERE deployment_id = ${second}) AS second_start`;
    expect(bounds!.second_start.getTime()).toBeGreaterThanOrEqual(bounds!.first_end.getTime());
  });

  it('times every phase, stores the timings and logs them; the old instances retire after the deployment succeeded', async () => {
    const app = await createApp(db.sql, parseAppName('timed'));
    await runDeployment(deps, await queueDeployment(app.id, 'c'.repeat(40)));
    const second = await queueDeployment(app.id, 'd'.repeat(40));
    await runDeployment(deps, second);

    expect((await getDeployment(db.sql, second)).state).toBe('succeeded');
    const phases = await listDeploymentPhases(db.sql, second);
    expect(phases.map((p) => p.phase)).toEqual(['queue', 'export', 'build', 'start', 'health', 'switch', 'retire']);
    const lines = (await readDeploymentLog(db.sql, second)).map((r) => r.line);
    const live = lines.findIndex((l) => / is live at /.test(l));
    expect(lines[live + 1]).toMatch(/^-----> Timing: queue \d+\.\d\d s, export \d+\.\d\d s, build \d+\.\d\d s, start .*; live \d+\.\d\d s after the push was received$/);
    const stopped = lines.findIndex((l) => l.startsWith('-----> Stopped '));
    expect(stopped).toBeGreaterThan(live);
    expect(lines.at(-1)).toMatch(/^-----> Timing: retire \d+\.\d\d s; done \d+\.\d\d s after the push was received$/);
    // Only the new release's instance is left running.
    expect((await deps.runtime.list(app.name)).map((i) => i.release)).toEqual([2]);
  });
});
