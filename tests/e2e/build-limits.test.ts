/**
 * A build that never ends (docker runtime: buildpacks in the warm build container). Without a
 * limit it would hold its app's lock, so no later push of the app could deploy, and hold
 * DevFlow's stop, which waits for running deployments.
 * - At DEVFLOW_BUILD_TIMEOUT the build's commands are stopped: the push is refused with the
 *   reason as `remote:` lines, the previous release keeps serving, and the next push deploys.
 * - `devflow deployments:cancel` stops it the same way, saying who cancelled it.
 * - `devflow apps:destroy` during a build cancels it before it removes the app.
 * - DevFlow stopped during a build stops the build instead of waiting for it; the pusher is told
 *   so, and the deployment reads failed, with the reason, once DevFlow is back.
 * Each hanging build runs `sleep` with a number nothing else uses, so the test can see it go.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { leftRunning, runningSoon } from '../support/processes.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-hello');
const LIMIT_SECONDS = 10;

/** node-hello with an npm build script (the Node.js buildpack runs it) that prints, then sleeps for ever. */
async function withHangingBuild(repo: Workdir, needle: string): Promise<void> {
  const manifest = { name: 'node-hello', version: '1.0.0', private: true, main: 'server.js', scripts: { start: 'node server.js', build: `echo $((6*7)) asleep && sleep ${needle}` } };
  await repo.write('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
  await repo.commit(`a build that sleeps ${needle}`);
}

describe('a build that never ends (docker runtime)', () => {
  let devflow: DevflowProcess;
  let repo: Workdir;

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime: 'docker', env: { DEVFLOW_BUILD_TIMEOUT: String(LIMIT_SECONDS) } });
    await devflow.cli(['apps:create', 'stuck']);
    repo = await repoFromExample(EXAMPLE);
    expect((await pushTo(repo, devflow, 'stuck')).exitCode).toBe(0);
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  /** Pushes a build that never ends; once its `sleep` runs, returns the push still going (wrapped, so it is not awaited here). */
  async function pushHangingBuild(needle: string): Promise<{ pushing: ReturnType<typeof pushTo> }> {
    await withHangingBuild(repo, needle);
    const pushing = pushTo(repo, devflow, 'stuck');
    expect(await runningSoon(needle)).not.toEqual([]);
    return { pushing };
  }

  it('is stopped at DEVFLOW_BUILD_TIMEOUT: the push is refused with the reason, the running release keeps serving, and the next push deploys', async () => {
    const needle = '4243.61';
    await withHangingBuild(repo, needle);
    const push = await pushTo(repo, devflow, 'stuck');
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toContain('remote: 42 asleep');
    expect(push.stderr).toContain(`remote:  !     build failed: build: it ran longer than ${LIMIT_SECONDS} s (DEVFLOW_BUILD_TIMEOUT) and was stopped; find the step that hangs in the log above, or ask the operator to raise the limit`);
    expect(push.stderr).toContain('remote:  !     The previous release (if any) is still serving.');
    expect(push.stderr).toContain('[remote rejected] HEAD -> main (pre-receive hook declined)');
    expect(await leftRunning(needle)).toEqual([]);
    expect((await getViaRouter(devflow.httpPort, 'stuck.localhost')).body).toContain('Hello from node-hello');
    expect(await failedDeployment(devflow)).toMatchObject({ state: 'failed', reason: expect.stringContaining(`ran longer than ${LIMIT_SECONDS} s`) });

    // The app's lock was let go: the fixed code deploys.
    await repo.write('package.json', await fs.readFile(path.join(EXAMPLE, 'package.json'), 'utf8'));
    await repo.write('server.js', (await fs.readFile(path.join(EXAMPLE, 'server.js'), 'utf8')).replace('Hello from node-hello', 'Hello again'));
    await repo.commit('no build script');
    expect((await pushTo(repo, devflow, 'stuck')).exitCode).toBe(0);
    expect((await getViaRouter(devflow.httpPort, 'stuck.localhost')).body).toContain('Hello again');
  });

  it('deployments:cancel stops a build in progress: the push is refused with who cancelled it, the running release keeps serving', async () => {
    const needle = '4243.63';
    const { pushing } = await pushHangingBuild(needle);
    const cancelStarted = performance.now();
    const cancelled = await devflow.cli(['deployments:cancel', 'stuck']);
    console.log(`deployments:cancel answered in ${((performance.now() - cancelStarted) / 1000).toFixed(2)} s (the CLI's start included)`);
    expect(cancelled.stdout).toMatch(/^Cancelled deployment #\d+ of stuck: the running release \(if any\) keeps serving$/);
    const push = await pushing;
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toMatch(/remote:  !     cancelled by \S+ \(devflow deployments:cancel\)/);
    expect(await leftRunning(needle)).toEqual([]);
    expect((await getViaRouter(devflow.httpPort, 'stuck.localhost')).body).toContain('Hello again');
    // Nothing is left to cancel: said, with the exit code for a conflict.
    const again = await devflow.cli(['deployments:cancel', 'stuck'], { reject: false });
    expect(again.exitCode).toBe(5);
    expect(again.stderr).toContain('no deployment of stuck is in progress');
    const id = /#(\d+)/.exec(cancelled.stdout)![1]!;
    const ended = await devflow.cli(['deployments:cancel', 'stuck', id], { reject: false });
    expect(ended.exitCode).toBe(5);
    expect(ended.stderr).toContain(`deployment ${id} already ended (failed): there is nothing to cancel`);
  });

  it('DevFlow stopped during a build stops it: the pusher is told, and the deployment reads failed once DevFlow is back', async () => {
    const needle = '4243.62';
    const { pushing } = await pushHangingBuild(needle);
    const stopStarted = performance.now();
    const stopped = await devflow.stop();
    console.log(`DevFlow stopped ${((performance.now() - stopStarted) / 1000).toFixed(2)} s after SIGTERM, a build in progress`);
    expect(stopped).toEqual({ code: 0, signal: null });
    const push = await pushing;
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toContain('remote:  !     build failed: build: DevFlow was stopped during the build; push again once it is running');
    expect(await leftRunning(needle)).toEqual([]);

    await devflow.start();
    expect(await failedDeployment(devflow)).toMatchObject({ state: 'failed', reason: 'build failed: build: DevFlow was stopped during the build; push again once it is running' });
    expect((await getViaRouter(devflow.httpPort, 'stuck.localhost')).body).toContain('Hello again');
  });

  it('apps:destroy during a build cancels it first: the push is told, nothing of the app is left running', async () => {
    const needle = '4243.64';
    const { pushing } = await pushHangingBuild(needle);
    await devflow.cli(['apps:destroy', 'stuck', '--confirm', 'stuck']);
    const push = await pushing;
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toContain('remote:  !     cancelled: stuck is being destroyed (devflow apps:destroy)');
    expect(await leftRunning(needle)).toEqual([]);
    const apps = JSON.parse((await devflow.cli(['apps', '--json'])).stdout) as Array<{ name: string }>;
    expect(apps.map((a) => a.name)).not.toContain('stuck');
    const containers = (await execa('/usr/bin/docker', ['ps', '-aq', '--filter', `label=devflow.home=${devflow.home}`, '--filter', 'label=devflow.app=stuck'])).stdout;
    expect(containers).toBe('');
  });
});

async function failedDeployment(devflow: DevflowProcess): Promise<{ state: string; reason: string | null } | undefined> {
  const [latest] = JSON.parse((await devflow.cli(['deployments', 'stuck', '--json'])).stdout) as Array<{ state: string; reason: string | null }>;
  return latest;
}
