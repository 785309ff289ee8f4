/**
 * Issue 4's promise under load: with a steady 250 requests/s from a second process through the
 * router, three consecutive deploys, a rollback and scaling up and down fail zero requests
 * (no connection errors, no 5xx), on the docker, process and swarm runtimes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { startLoad } from '../support/load.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-hello');
const RATE = 250;

describe.each(['docker', 'process', 'swarm'] as const)('zero-downtime releases on the %s runtime', (runtime) => {
  let devflow: DevflowProcess;
  let repo: Workdir;

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime });
    await devflow.cli(['apps:create', 'steady']);
    repo = await repoFromExample(EXAMPLE);
    expect((await push()).exitCode).toBe(0);
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  const push = () => pushTo(repo, devflow, 'steady');
  const body = async () => (await getViaRouter(devflow.httpPort, 'steady.localhost')).body;

  async function changeGreeting(text: string): Promise<void> {
    const file = path.join(repo.dir, 'server.js');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/Hello[^\\]*\\n/, `${text}\\n`));
    await repo.commit(text);
  }

  it('three deploys, a rollback and scaling up and down under load fail no request', async () => {
    const started = performance.now();
    const load = startLoad({ port: devflow.httpPort, host: 'steady.localhost', rate: RATE });
    for (const n of [2, 3, 4]) {
      await changeGreeting(`Hello from release ${n}`);
      const result = await push();
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await body()).toContain(`Hello from release ${n}`);
    }
    await devflow.cli(['rollback', 'steady']);
    expect(await body()).toContain('Hello from release 3');
    await devflow.cli(['ps:scale', 'steady', 'web=3']);
    await devflow.cli(['ps:scale', 'steady', 'web=1']);
    // After the scale-down the remaining instance keeps serving under the same load.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await body()).toContain('Hello from release 3');
    const counts = await load.stop();
    const seconds = (performance.now() - started) / 1000;
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
