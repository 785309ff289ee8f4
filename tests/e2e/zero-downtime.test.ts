/**
 * Issue 4's promise under load: with a steady 250 requests/s from a second process through the
 * router, three consecutive deploys, a rollback and scaling up and down fail zero requests
 * (no connection errors, no 5xx), on the docker, process and swarm runtimes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachSideBySide } from '../support/side-by-side.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { startLoad } from '../support/load.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-hello');
const RATE = 250;

const RUNTIMES = ['docker', 'process', 'swarm'] as const;
type RuntimeName = (typeof RUNTIMES)[number];
const started = new Map<RuntimeName, { devflow: DevflowProcess; repo: Workdir }>();
/**
 * One name per runtime: the DevFlows share the Docker engine, where an app's images are named
 * after it (devflow/<app>:<commit>), and the three first commits can be the same commit.
 */
const appOn = (runtime: RuntimeName) => `steady-${runtime}`;

// The three DevFlows start and make their first release side by side, before any load: it is the
// load phases that must have the machine to themselves (beside another file on two cores, 5 of
// 5,395 requests were reset), and each test below still runs its load alone, the other DevFlows
// idle. They stop together at the end, after the last load.
beforeAll(async () => {
  await eachSideBySide(RUNTIMES, async (runtime) => {
    const devflow = await startDevflowProcess({ runtime });
    started.set(runtime, { devflow, repo: await repoFromExample(EXAMPLE) });
    await devflow.cli(['apps:create', appOn(runtime)]);
    const first = await pushTo(started.get(runtime)!.repo, devflow, appOn(runtime));
    expect(first.exitCode, `${runtime}: ${first.stderr}`).toBe(0);
  });
}, 300_000);
afterAll(async () => {
  await Promise.all([...started.values()].map(async ({ devflow }) => {
    await devflow.stop();
    await cleanupRuntime(devflow.home);
  }));
});

describe.each(RUNTIMES)('zero-downtime releases on the %s runtime', (runtime) => {
  const devflow = () => started.get(runtime)!.devflow;
  const repo = () => started.get(runtime)!.repo;
  const app = appOn(runtime);
  const push = () => pushTo(repo(), devflow(), app);
  const body = async () => (await getViaRouter(devflow().httpPort, `${app}.localhost`)).body;

  async function changeGreeting(text: string): Promise<void> {
    const file = path.join(repo().dir, 'server.js');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/Hello[^\\]*\\n/, `${text}\\n`));
    await repo().commit(text);
  }

  it('three deploys, a rollback and scaling up and down under load fail no request', async () => {
    const began = performance.now();
    const load = startLoad({ port: devflow().httpPort, host: `${app}.localhost`, rate: RATE });
    for (const n of [2, 3, 4]) {
      await changeGreeting(`Hello from release ${n}`);
      const result = await push();
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await body()).toContain(`Hello from release ${n}`);
    }
    await devflow().cli(['rollback', app]);
    expect(await body()).toContain('Hello from release 3');
    await devflow().cli(['ps:scale', app, 'web=3']);
    await devflow().cli(['ps:scale', app, 'web=1']);
    // After the scale-down the remaining instance keeps serving under the same load.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await body()).toContain('Hello from release 3');
    const counts = await load.stop();
    const seconds = (performance.now() - began) / 1000;
    console.log(`${runtime}: ${counts.sent} requests in ${seconds.toFixed(1)} s (${(counts.sent / seconds).toFixed(0)}/s), ` +
      `${counts.errors} errors, ${counts.status5xx} 5xx`);

    expect(counts.samples, JSON.stringify(counts)).toEqual([]);
    expect(counts.errors).toBe(0);
    expect(counts.status5xx).toBe(0);
    expect(counts.otherStatus).toBe(0);
    // The load really was at least 200 requests/s for the whole run.
    expect(counts.sent / seconds).toBeGreaterThanOrEqual(200);
    expect(counts.ok).toBe(counts.sent);
  });
});
