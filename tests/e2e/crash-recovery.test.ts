/**
 * SIGKILL of DevFlow in the middle of a deploy (the new release's instance is starting, not yet
 * routed), then a restart: the previous release serves within seconds, the interrupted
 * deployment is marked failed, and no orphan instance is left behind.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-hello');

interface DeploymentView { id: number; state: string; reason: string | null }

describe.each(['docker', 'process', 'swarm'] as const)('SIGKILL mid-deploy on the %s runtime', (runtime) => {
  let devflow: DevflowProcess;
  let repo: Workdir;

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime });
    await devflow.cli(['apps:create', 'sturdy']);
    repo = await repoFromExample(EXAMPLE);
    expect((await push()).exitCode).toBe(0);
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  const push = () => pushTo(repo, devflow, 'sturdy');
  const deployments = async () => JSON.parse((await devflow.cli(['deployments', 'sturdy', '--json'])).stdout) as DeploymentView[];

  it('leaves one consistent release serving and no orphans', async () => {
    // v2 waits 20 s before it listens, so the deploy sits in its health check when DevFlow dies.
    const server = path.join(repo.dir, 'server.js');
    const source = await fs.readFile(server, 'utf8');
    await fs.writeFile(server, source.replace('Hello from node-hello', 'Hello from v2').replace(/server\.listen\(/, 'setTimeout(() => server.listen(').replace(/\)\);\s*$/m, ')), 20000);'));
    await repo.commit('slow v2');
    const pushing = push();
    for (let i = 0; i < 600 && !(await deployments()).some((d) => d.state === 'releasing'); i++) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 100 && (await instances(runtime, devflow.home)) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    // v1 serving and v2 starting: the second one is what must not survive as an orphan.
    expect(await instances(runtime, devflow.home)).toBe(2);
    await devflow.stop('SIGKILL');
    expect((await pushing).exitCode).not.toBe(0);

    await devflow.restart();
    const res = await getViaRouter(devflow.httpPort, 'sturdy.localhost');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Hello from node-hello');
    const [latest] = await deployments();
    expect(latest).toMatchObject({ state: 'failed', reason: expect.stringContaining('interrupted') });
    expect(await instances(runtime, devflow.home)).toBe(1);
  });
});

async function instances(runtime: 'docker' | 'process' | 'swarm', home: string): Promise<number> {
  if (runtime === 'swarm') {
    // Task slots Swarm means to run, over every service of this DevFlow.
    const services = (await execa('/usr/bin/docker', ['service', 'ls', '-q', '--filter', `label=devflow.home=${home}`])).stdout.split('\n').filter(Boolean);
    let slots = 0;
    for (const service of services) {
      const { stdout } = await execa('/usr/bin/docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', service], { reject: false });
      slots += stdout.split('\n').filter(Boolean).length;
    }
    return slots;
  }
  if (runtime === 'docker') {
    const { stdout } = await execa('/usr/bin/docker', ['ps', '-aq', '--filter', `label=devflow.home=${home}`, '--filter', 'label=devflow.managed=true']);
    return stdout.split('\n').filter(Boolean).length;
  }
  const dir = path.join(home, 'run', 'instances');
  let alive = 0;
  for (const file of await fs.readdir(dir).catch(() => [] as string[])) {
    const { pid } = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as { pid: number };
    try {
      process.kill(pid, 0);
      alive++;
    } catch {
      // gone
    }
  }
  return alive;
}
