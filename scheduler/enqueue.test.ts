/**
 * The one way into the scheduler, against real PostgreSQL, the event bus and the queue on its
 * PostgreSQL backend: whoever asks, a deployment publishes the same events, supersedes older
 * queued ones with the same reason, finds its source where the build reads it, and is queued.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, type DevflowEvent } from '../core/events.js';
import { parseAppName } from '../core/names.js';
import { createDeployQueue, type DeployJob, type DeployQueue } from '../core/queue.js';
import { createApp } from '../core/store/apps.js';
import { SUPERSEDED_REASON, getDeployment } from '../core/store/deployments.js';
import { listDeploymentPhases } from '../core/store/deployment-phases.js';
import type { DeploymentTrigger } from '../core/types.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { enqueueDeployment, type EnqueueDeps } from './enqueue.js';
import { sourceTarPath } from './pipeline.js';

let db: TestDatabase;
let deps: EnqueueDeps;
let queue: DeployQueue;
const jobs: DeployJob[] = [];
const events: DevflowEvent[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const bus = new EventBus(db.url, db.sql);
  await bus.start();
  bus.subscribe((event) => events.push(event));
  queue = createDeployQueue({ databaseUrl: db.url });
  queue.work(async (job) => void jobs.push(job), 1);
  deps = { sql: db.sql, bus, queue, home: await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-enqueue-')) };
});
afterAll(async () => {
  await queue.close();
  await deps.bus.close();
  await fs.rm(deps.home, { recursive: true, force: true });
  await db.drop();
});

async function until<T>(what: () => T | undefined): Promise<T> {
  for (;;) {
    const found = what();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const request = (sha: string, trigger: DeploymentTrigger) => ({ ref: 'refs/heads/main', sha, baseSha: null, trigger, actor: 'tester' });
const writeText = (text: string) => (dest: string) => fs.writeFile(dest, text);
const stateEvents = (app: string) => events.filter((e) => e.type === 'deployment.state' && e.app === app);

describe('enqueueDeployment', () => {
  it('gives a push and an API deploy the same events, one superseded reason, the source in place and a job', async () => {
    const app = await createApp(db.sql, parseAppName('one-way'));
    const pushed = await enqueueDeployment(deps, app, request('a'.repeat(40), 'push'), writeText('pushed tree'));
    const api = await enqueueDeployment(deps, app, request('b'.repeat(40), 'api'), writeText('api tree'));

    await until(() => (stateEvents('one-way').length === 3 ? true : undefined));
    expect(stateEvents('one-way')).toEqual([
      { type: 'deployment.state', deploymentId: pushed.id, app: 'one-way', state: 'queued' },
      { type: 'deployment.state', deploymentId: pushed.id, app: 'one-way', state: 'superseded', reason: SUPERSEDED_REASON },
      { type: 'deployment.state', deploymentId: api.id, app: 'one-way', state: 'queued' },
    ]);
    expect(await getDeployment(db.sql, pushed.id)).toMatchObject({ state: 'superseded', reason: SUPERSEDED_REASON, trigger: 'push' });
    expect(await getDeployment(db.sql, api.id)).toMatchObject({ state: 'queued', trigger: 'api', actor: 'tester' });
    expect(await fs.readFile(sourceTarPath(deps.home, api.id), 'utf8')).toBe('api tree');
    await until(() => (jobs.some((j) => j.deploymentId === api.id) ? true : undefined));
    expect(jobs.filter((j) => j.app === 'one-way').map((j) => j.deploymentId)).toEqual([pushed.id, api.id]);
  });

  it('fails the deployment, says why and queues nothing when its source cannot be written', async () => {
    const app = await createApp(db.sql, parseAppName('no-source'));
    const broken = () => Promise.reject(new Error('git archive abc failed: not a tree'));
    await expect(enqueueDeployment(deps, app, request('c'.repeat(40), 'push'), broken)).rejects.toThrow('not a tree');

    const [failed] = await until(() => (stateEvents('no-source').length === 1 ? stateEvents('no-source') : undefined));
    const reason = 'the source could not be exported: git archive abc failed: not a tree';
    expect(failed).toMatchObject({ state: 'failed', reason });
    expect(await getDeployment(db.sql, (failed as { deploymentId: number }).deploymentId)).toMatchObject({ state: 'failed', reason });
    expect(jobs.filter((j) => j.app === 'no-source')).toEqual([]);
  });

  it('stores the receive phase of a push: from its upload reaching DevFlow until the deployment was recorded', async () => {
    const app = await createApp(db.sql, parseAppName('received'));
    const receivedAt = new Date(Date.now() - 250);
    const pushed = await enqueueDeployment(deps, app, request('d'.repeat(40), 'push'), writeText('tree'), receivedAt);
    const api = await enqueueDeployment(deps, app, request('e'.repeat(40), 'api'), writeText('tree'));

    const [receive, ...rest] = await listDeploymentPhases(db.sql, pushed.id);
    expect(rest).toEqual([]);
    expect(receive).toEqual({ phase: 'receive', startedAt: receivedAt, ms: pushed.createdAt.getTime() - receivedAt.getTime() });
    expect(receive!.ms).toBeGreaterThanOrEqual(250);
    expect(await listDeploymentPhases(db.sql, api.id)).toEqual([]);
  });
});
