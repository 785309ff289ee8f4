/**
 * An API deploy through the receiver's repositories and the scheduler's one enqueue path, with
 * real PostgreSQL, the event bus, the queue and git.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, type DevflowEvent } from '../core/events.js';
import { parseAppName } from '../core/names.js';
import { createDeployQueue } from '../core/queue.js';
import { createApp } from '../core/store/apps.js';
import { listDeployments } from '../core/store/deployments.js';
import { GitReceiver } from '../receiver/index.js';
import { extractTar, writeFiles } from '../receiver/test-support.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { sourceTarPath } from '../scheduler/pipeline.js';
import { deployRef, type DeployRefDeps } from './deploy-ref.js';

let db: TestDatabase;
let deps: DeployRefDeps;
let home: string;
const events: DevflowEvent[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-deploy-ref-'));
  const bus = new EventBus(db.url, db.sql);
  await bus.start();
  bus.subscribe((e) => events.push(e));
  const reposDir = path.join(home, 'repos');
  const receiver = new GitReceiver({ reposDir, authenticate: async () => undefined, appExists: async () => true, onPush: async () => ({ ok: false, message: '' }) });
  deps = { sql: db.sql, bus, queue: createDeployQueue({ databaseUrl: db.url }), home, repos: receiver };
  // The app's repository as pushes leave it (written here directly: the hook would refuse a push that bypasses DevFlow).
  const work = path.join(home, 'work');
  await execa('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(reposDir, 'shop.git')]);
  await execa('git', ['init', '--quiet', '--initial-branch=main', work]);
  await writeFiles(work, { 'Dockerfile': 'FROM scratch\n', 'server.js': 'x\n' });
  const git = (args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: work });
  await git(['add', '.']);
  await git(['commit', '--quiet', '-m', 'one']);
  await git(['push', '--quiet', path.join(reposDir, 'shop.git'), 'main']);
});
afterAll(async () => {
  await deps.queue.close();
  await deps.bus.close();
  await fs.rm(home, { recursive: true, force: true });
  await db.drop();
});

describe('deployRef', () => {
  it('queues the ref\'s tree (without the Dockerfile for buildpacks) and publishes queued like a push', async () => {
    await createApp(db.sql, parseAppName('shop'));
    const deployment = await deployRef(deps, parseAppName('shop'), { ref: 'main', builder: 'buildpacks' }, 'ci');
    expect(deployment).toMatchObject({ ref: 'refs/heads/main', trigger: 'api', actor: 'ci', state: 'queued' });
    const files = await extractTar(sourceTarPath(home, deployment.id), path.join(home, 'extracted'));
    expect(files).toEqual({ 'server.js': 'x\n' });
    while (!events.some((e) => e.type === 'deployment.state' && e.deploymentId === deployment.id)) await new Promise((r) => setTimeout(r, 20));
    expect(events.filter((e) => e.type === 'deployment.state')).toEqual([
      { type: 'deployment.state', deploymentId: deployment.id, app: 'shop', state: 'queued' },
    ]);
  });

  it('refuses a ref the repository lacks and records nothing', async () => {
    const app = await createApp(db.sql, parseAppName('empty'));
    await expect(deployRef(deps, app.name, { ref: 'main', builder: 'auto' }, 'ci')).rejects.toThrow('git push it first');
    expect(await listDeployments(db.sql, app.id)).toEqual([]);
  });
});
