/**
 * The reconciler against real parts (PostgreSQL, the process runtime): a deploy that switches
 * releases while the reconciler is between its listing and the app's lock must not get its new
 * instance stopped as a stray (issue 15, resets seen on docker under CPU saturation).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { EventBus } from '../core/events.js';
import { parseAppName } from '../core/names.js';
import { createApp, setCurrentRelease } from '../core/store/apps.js';
import { createRelease } from '../core/store/releases.js';
import type { Release } from '../core/types.js';
import { cleanupRuntime } from '../tests/support/cleanup.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import type { SchedulerDeps } from './deps.js';
import { DEFAULT_HEALTH_CHECK } from './health.js';
import { instanceSpec } from './instance-spec.js';
import { reconcileAll } from './reconciler.js';
import { markRetiring } from './retiring.js';
import { ProcessRuntime } from './runtime/process.js';

let db: TestDatabase;
let home: string;
let bus: EventBus;

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-reconciler-'));
  bus = new EventBus(db.url, db.sql);
  await bus.start();
});
afterAll(async () => {
  await bus.close();
  await cleanupRuntime(home);
  await db.drop();
});

const SERVER = 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)';

async function release(appId: number, n: number): Promise<Release> {
  const dir = path.join(home, `slug${n}`);
  await fs.mkdir(dir, { recursive: true });
  const artifact = { kind: 'slug' as const, dir, processes: { web: `exec ${process.execPath} -e '${SERVER}'` }, env: {} };
  return createRelease(db.sql, { appId, deploymentId: null, sha: null, artifact, config: {}, description: `v${n}` });
}

describe('reconcileAll', () => {
  it('reads the app and its instances again under the lock: a release switched since its listing keeps its new instance', async () => {
    const runtime = new ProcessRuntime({ home });
    const app = await createApp(db.sql, parseAppName('switching'));
    const [v1, v2] = [await release(app.id, 1), await release(app.id, 2)];
    await setCurrentRelease(db.sql, app.id, 1);
    const old = await runtime.start(instanceSpec(app.name, v1, 'web', 1, {}));
    const fresh = await runtime.start(instanceSpec(app.name, v2, 'web', 1, {}));
    let unmark = () => {};
    let switched = false;
    // The deploy of v2 finishes (switch, old instance retiring, lock released) right after the
    // reconciler listed the apps (still v1) and the instances (both).
    const racing: typeof runtime = Object.create(runtime, {
      list: {
        value: async (name?: Parameters<typeof runtime.list>[0]) => {
          const listed = await runtime.list(name);
          if (name === undefined && !switched) {
            switched = true;
            await new Promise((r) => setTimeout(r, 200));
            await setCurrentRelease(db.sql, app.id, 2);
            unmark = markRetiring([old.id]);
          }
          return listed;
        },
      },
    });
    const deps: SchedulerDeps = {
      config: loadConfig({ DEVFLOW_HOME: home }), sql: db.sql, bus, runtime: racing, docker: undefined,
      routes: { refresh: async () => {} }, healthCheck: DEFAULT_HEALTH_CHECK, drainMs: 0, stopGraceMs: 2000,
    };
    try {
      await reconcileAll(deps);
      const running = (await runtime.list(app.name)).filter((i) => i.state !== 'exited');
      expect(running.map((i) => i.id).sort()).toEqual([fresh.id, old.id].sort());
    } finally {
      unmark();
      for (const i of await runtime.list(app.name)) await runtime.stop(i.id, { graceMs: 500 });
    }
  });
});
