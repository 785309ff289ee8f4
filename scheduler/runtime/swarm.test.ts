/**
 * The swarm driver against the real one-node swarm: what a crash loop looks like once Swarm
 * has restarted a task as often as its restart policy allows (swarm-plan.ts restartPolicy);
 * read-only files (telemetry's Node agent) reaching tasks as Swarm configs; CPU and memory of a
 * task as `docker stats` shows its container; a task log read the engine never finishes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageExists } from '../../builder/docker-images.js';
import { ReleaseError } from '../../core/errors.js';
import { parseAppName, parseProcessType } from '../../core/names.js';
import type { Artifact } from '../../core/types.js';
import { serviceFilters, shippedFileName } from './swarm-plan.js';
import { SwarmRuntime } from './swarm.js';
import { buildTestImage, dockerSocketWithStalledTaskLogs, dockerStatsMemoryBytes, ensureNodeTestImage, waitFor } from './test-support.js';
import type { InstanceSpec } from './types.js';

// A stand-in for the CNB launcher: `crash` runs a second, says why, and exits 3.
const LAUNCHER_SH = `case "$1" in
  crash) echo "crashing on purpose"; sleep 1; exit 3 ;;
  idle) echo "idle"; exec node -e "setInterval(() => {}, 60000)" ;;
  show) cat /opt/shipped/k1/agent.cjs /opt/shipped/k1/lib/register.js; ls /opt/shipped; exec node -e "console.log('idle'); setInterval(() => {}, 60000)" ;;
  *) echo "unknown process type $1" >&2; exit 1 ;;
esac
`;

const docker = new Docker();
const suffix = randomBytes(3).toString('hex');
const owner = `/tmp/devflow-swarm-test-${suffix}`;
// DEVFLOW_MAX_RESTARTS as the end-to-end tests set it: Swarm gives up after 2 restarts, so a
// crash loop is 3 runs of the task (1 s each, 1 s apart) rather than the default's 6.
const MAX_RESTARTS = 2;
const runtime = new SwarmRuntime(docker, owner, [], { maxRestarts: MAX_RESTARTS });
const app = parseAppName(`sw-test-${suffix}`);
const launcherTag = `devflow-test/swarm-launcher-${suffix}:latest`;
// An image whose entrypoint is missing: its containers never start.
const brokenTag = `devflow-test/swarm-broken-${suffix}:latest`;

function spec(type: string, artifact: Artifact): InstanceSpec {
  return { app, release: 1, processType: parseProcessType(type), slot: 1, artifact, env: {} };
}

async function servicesLeft(): Promise<number> {
  return (await docker.listServices({ filters: serviceFilters(owner, app) })).length;
}

let shippedDir: string;

beforeAll(async () => {
  shippedDir = await mkdtemp(join(tmpdir(), 'devflow-swarm-shipped-'));
  await mkdir(join(shippedDir, 'k1', 'lib'), { recursive: true });
  await writeFile(join(shippedDir, 'k1', 'agent.cjs'), `agent ${suffix}\n`);
  await writeFile(join(shippedDir, 'k1', 'lib', 'register.js'), `register ${suffix}\n`);
  // A directory still being written is not shipped.
  await mkdir(join(shippedDir, 'k2.123.tmp'));
  await writeFile(join(shippedDir, 'k2.123.tmp', 'agent.cjs'), 'half\n');
  await SwarmRuntime.assertActive(docker);
  const base = await ensureNodeTestImage(docker);
  await buildTestImage(launcherTag, `FROM ${base}\nCOPY launcher.sh /\nENTRYPOINT ["/bin/sh", "/launcher.sh"]\n`, { 'launcher.sh': LAUNCHER_SH });
  await buildTestImage(brokenTag, `FROM ${base}\nENTRYPOINT ["/no/such/program"]\n`, {});
});

afterAll(async () => {
  for (const service of await docker.listServices({ filters: serviceFilters(owner) })) await docker.getService(service.ID).remove();
  await waitFor('the test services\' containers to go', async () =>
    (await docker.listContainers({ all: true, filters: { label: [`devflow.home=${owner}`] } })).length === 0 || undefined, 30_000);
  await rm(shippedDir, { recursive: true, force: true });
  // The configs made of this run's files (the names are their contents' hashes).
  for (const content of [`agent ${suffix}\n`, `register ${suffix}\n`]) {
    await docker.getConfig(shippedFileName(Buffer.from(content))).remove().catch(() => {});
  }
  for (const tag of [launcherTag, brokenTag]) {
    if (await imageExists(docker, tag)) await docker.getImage(tag).remove({ force: true });
  }
});

describe('SwarmRuntime', () => {
  it('a task that keeps crashing is restarted by Swarm, then reported exited with its output; stop removes it', async () => {
    const artifact: Artifact = { kind: 'image', image: launcherTag, processes: { crash: 'crash' } };
    const instance = await runtime.start(spec('crash', artifact));
    expect(instance.state).toBe('running');
    const exited = await waitFor('Swarm to give up on the slot', async () =>
      (await runtime.list(app)).find((i) => i.id === instance.id && i.state === 'exited'), 90_000);
    expect(exited).toMatchObject({ app, processType: 'crash', release: 1, upstream: null });
    expect(await runtime.logs(instance.id)).toEqual(['crashing on purpose']);

    const [service] = await docker.listServices({ filters: serviceFilters(owner, app) });
    const tasks = await docker.listTasks({ filters: { service: [service!.ID] } });
    // The first run and MAX_RESTARTS restarts, each failed with exit 3, and no more.
    expect(tasks.map((t) => [t.DesiredState, t.Status?.State, t.Status?.ContainerStatus?.ExitCode])).toEqual(
      Array.from({ length: MAX_RESTARTS + 1 }, () => ['shutdown', 'failed', 3]));

    await runtime.stop(instance.id, { graceMs: 0 });
    expect(await runtime.list(app)).toEqual([]);
    expect(await servicesLeft()).toBe(0);
  });

  it('a process that cannot start fails start() once Swarm gives up, and leaves no service behind', async () => {
    const artifact: Artifact = { kind: 'image', image: brokenTag, processes: { web: '' } };
    const failure = await runtime.start(spec('web', artifact)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ReleaseError);
    expect((failure as ReleaseError).message).toContain('kept exiting at start, so Swarm stopped restarting it');
    expect(await servicesLeft()).toBe(0);
  });

  it('a task log read the engine never finishes is given up: logs() says so, the collector reads nothing, stop still works', async () => {
    // The engine's own socket behind one that stalls task log reads (test-support.ts): the rest is the real swarm.
    const socket = await dockerSocketWithStalledTaskLogs();
    try {
      const stalling = new SwarmRuntime(new Docker({ socketPath: socket.socketPath }), owner, [], { maxRestarts: MAX_RESTARTS, taskLogTimeoutMs: 1_000 });
      const artifact: Artifact = { kind: 'image', image: launcherTag, processes: { idle: 'idle' } };
      const instance = await stalling.start(spec('idle', artifact));
      await expect(stalling.logs(instance.id)).rejects.toMatchObject({
        code: 'runtime_unavailable', message: expect.stringMatching(/^Swarm did not return the log of task \w+ within 1 s$/),
      });
      // The collector's read (RuntimeDriver.readLogs): nothing new, the position kept.
      expect(await stalling.readLogs(instance.id, undefined)).toEqual({ lines: [], position: '' });
      expect(socket.reads()).toBe(2);
      // The reads given up closed their connections (the collector reads every second).
      await waitFor('the abandoned reads to close', async () => (socket.open() === 0 ? true : undefined));
      await stalling.stop(instance.id, { graceMs: 0 });
      expect(await servicesLeft()).toBe(0);
    } finally {
      await socket.close();
    }
  });

  it('listing an app while one of its services is removed lists the others, instead of failing', async () => {
    // The real engine, with one service removed just before the first task list: what happens when a
    // retiring release's last instance stops between the two calls (a rollback right after a push).
    let removeFirst: string | undefined;
    const racing = new Proxy(docker, {
      get(target, prop) {
        if (prop === 'listTasks') {
          return async (options: object) => {
            if (removeFirst !== undefined) {
              const id = removeFirst;
              removeFirst = undefined;
              await docker.getService(id).remove();
            }
            return docker.listTasks(options);
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const listing = new SwarmRuntime(racing, owner, [], { maxRestarts: MAX_RESTARTS });
    const artifact: Artifact = { kind: 'image', image: launcherTag, processes: { idle: 'idle' } };
    const old = await runtime.start(spec('idle', artifact));
    const current = await runtime.start({ ...spec('idle', artifact), release: 2 });
    const [oldService] = (await docker.listServices({ filters: serviceFilters(owner, app) })).filter((s) => s.Spec?.Labels?.['devflow.release'] === '1');
    expect(oldService).toBeDefined();
    removeFirst = oldService!.ID;
    expect((await listing.list(app)).map((i) => i.id)).toEqual([current.id]);
    expect(removeFirst).toBeUndefined();
    await runtime.stop(current.id, { graceMs: 0 });
    await runtime.stop(old.id, { graceMs: 0 });
    expect(await servicesLeft()).toBe(0);
  });

  it("a mount's files reach the task as configs; its CPU and memory are read as `docker stats` shows them", async () => {
    const shipping = new SwarmRuntime(docker, owner, [{ hostPath: shippedDir, containerPath: '/opt/shipped' }]);
    const artifact: Artifact = { kind: 'image', image: launcherTag, processes: { show: 'show' } };
    const instance = await shipping.start(spec('show', artifact));
    const lines = await waitFor('the task to print the shipped files', async () => {
      const logs = await shipping.logs(instance.id);
      return logs.length >= 4 ? logs : undefined;
    });
    // The files as written, under the mount's path; the directory still being written left out.
    expect(lines).toEqual([`agent ${suffix}`, `register ${suffix}`, 'k1', 'idle']);

    const [service] = await docker.listServices({ filters: serviceFilters(owner, app) });
    const [task] = await docker.listTasks({ filters: { service: [service!.ID], 'desired-state': ['running'] } });
    const container = task!.Status!.ContainerStatus!.ContainerID!;
    const reading = (await shipping.readUsage()).find((r) => r.instanceId === instance.id);
    const shownBytes = await dockerStatsMemoryBytes(container);
    const after = (await shipping.readUsage()).find((r) => r.instanceId === instance.id);
    expect(reading).toMatchObject({ app, processType: 'show' });
    expect(reading!.cpuNs).toBeGreaterThan(0);
    // The CLI rounds, and takes a second or two to answer, while the node that just started may
    // still grow a little (a CI run saw 6 %): what it shows lies within 5 % of the runtime's
    // readings taken just before and just after it.
    const [low, high] = [Math.min(reading!.memoryBytes, after!.memoryBytes), Math.max(reading!.memoryBytes, after!.memoryBytes)];
    expect(shownBytes).toBeGreaterThanOrEqual(low * 0.95);
    expect(shownBytes).toBeLessThanOrEqual(high * 1.05);

    await shipping.stop(instance.id, { graceMs: 0 });
    expect(await servicesLeft()).toBe(0);
  });
});
