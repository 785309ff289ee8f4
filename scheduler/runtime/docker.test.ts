import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import type { Artifact, Instance } from '../../core/types.js';
import { DockerRuntime } from './docker.js';
import { LABEL } from './docker-plan.js';
import { APPS_NETWORK } from './docker-network.js';
import { NetnsHolders } from './docker-netns.js';
import { imageExists } from '../../builder/docker-images.js';
import { buildTestImage, dockerStatsMemoryBytes, ensureNodeTestImage, waitFor } from './test-support.js';
import type { InstanceSpec } from './types.js';

const SERVER_JS = `
const http = require('node:http');
process.on('SIGTERM', () => process.exit(0));
http.createServer((req, res) => {
  res.end(JSON.stringify({ port: process.env.PORT, greeting: process.env.GREETING, app: process.env.DEVFLOW_APP }));
}).listen(Number(process.env.PORT), () => console.log('listening on ' + process.env.PORT));
`;
const WORKER_JS = `
process.on('SIGTERM', () => process.exit(0));
console.log('worker ready');
console.error('worker on stderr');
setInterval(() => {}, 1000);
`;
// A stand-in for the CNB launcher: takes the process type as its argument.
const LAUNCHER_SH = `case "$1" in
  web) exec node server.js ;;
  worker) exec node worker.js ;;
  idle) exec node -e "console.log('idle ready'); setInterval(() => {}, 1000)" ;;
  *) echo "unknown process type $1" >&2; exit 1 ;;
esac
`;

const docker = new Docker();
const runtime = new DockerRuntime(docker);
const suffix = randomBytes(3).toString('hex');
// Bounds each attempt, not the test: docker-proxy may hold a connection made before the app
// listens, and fetch would then wait forever.
const FETCH_TIMEOUT_MS = 2_000;
const app = parseAppName(`rt-test-${suffix}`);
const dockerfileTag = `devflow-test/runtime-dockerfile-${suffix}:latest`;
const launcherTag = `devflow-test/runtime-launcher-${suffix}:latest`;
const files = { 'server.js': SERVER_JS, 'worker.js': WORKER_JS, 'launcher.sh': LAUNCHER_SH };

function spec(type: string, artifact: Artifact, overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    app,
    release: 2,
    processType: parseProcessType(type),
    slot: 1,
    artifact,
    env: { GREETING: 'hello from config', DEVFLOW_APP: app },
    ...overrides,
  };
}

async function fetchJson(instance: Instance): Promise<Record<string, string>> {
  const { host, port } = instance.upstream ?? { host: '', port: 0 };
  return (await (await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })).json()) as Record<string, string>;
}

/**
 * Exit code of a TCP connection tried from inside `containerId` to host:port: 0 connected, 3
 * refused, 4 no answer within 3 s (the engine drops traffic between containers of the network).
 */
async function connectFrom(containerId: string, host: string, port: number): Promise<number | null> {
  const probe = `require('net').connect(${port}, '${host}').on('connect', () => process.exit(0)).on('error', () => process.exit(3)).setTimeout(3000, () => process.exit(4))`;
  const exec = await docker.getContainer(containerId).exec({ Cmd: ['node', '-e', probe], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((resolve) => { stream.on('end', resolve); stream.resume(); });
  return (await exec.inspect()).ExitCode;
}

async function holdersOf(name: string): Promise<string[]> {
  const found = await docker.listContainers({ all: true, filters: { label: ['devflow.managed=netns', `${LABEL.app}=${name}`] } });
  return found.map((c) => c.Id).sort();
}

beforeAll(async () => {
  const base = await ensureNodeTestImage(docker);
  const common = `FROM ${base}\nWORKDIR /app\nCOPY server.js worker.js launcher.sh /app/\n`;
  await buildTestImage(dockerfileTag, `${common}CMD ["node", "server.js"]\n`, files);
  await buildTestImage(launcherTag, `${common}ENTRYPOINT ["/bin/sh", "/app/launcher.sh"]\n`, files);
});

afterAll(async () => {
  // Instances and network holders alike.
  const leftovers = await docker.listContainers({ all: true, filters: { label: [LABEL.managed] } });
  for (const c of leftovers.filter((l) => l.Labels[LABEL.app]?.endsWith(suffix))) await docker.getContainer(c.Id).remove({ force: true });
  for (const tag of [dockerfileTag, launcherTag]) {
    if (await imageExists(docker, tag)) await docker.getImage(tag).remove({ force: true });
  }
});

describe('DockerRuntime', () => {
  it('runs a Dockerfile image web process reachable through its upstream, with env and limits', async () => {
    const artifact: Artifact = { kind: 'image', image: dockerfileTag, processes: { web: '' } };
    const instance = await runtime.start(spec('web', artifact, { memoryMb: 128, cpus: 0.5 }));
    expect(instance.id).toMatch(new RegExp(`^devflow-${app}-web-v2-1-[0-9a-f]{4}$`));
    // This engine is local and its bridges are interfaces here: the container's own address.
    expect(await runtime.upstreamRoute()).toEqual({ kind: 'bridge', network: APPS_NETWORK });
    const info0 = await docker.getContainer(instance.id).inspect();
    expect(instance).toMatchObject({ app, release: 2, processType: 'web', upstream: { host: info0.NetworkSettings.Networks[APPS_NETWORK]!.IPAddress, port: 5000 } });
    expect(info0.HostConfig.PortBindings ?? {}).toEqual({});

    const body = await waitFor('the web container', () => fetchJson(instance));
    expect(body).toEqual({ port: '5000', greeting: 'hello from config', app });

    const info = await docker.getContainer(instance.id).inspect();
    expect(info.HostConfig.Memory).toBe(128 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(info.Config.Labels).toMatchObject({ 'devflow.app': app, 'devflow.release': '2', 'devflow.slot': '1' });

    const listed = await runtime.list(app);
    expect(listed).toEqual([{ ...instance, state: 'running' }]);
    expect(await new DockerRuntime(new Docker()).list()).toContainEqual({ ...instance, state: 'running' });
    expect(await runtime.logs(instance.id)).toContain('listening on 5000');

    await runtime.stop(instance.id, { graceMs: 5_000 });
    expect(await runtime.list(app)).toEqual([]);
    await expect(fetchJson(instance)).rejects.toThrow();
    await expect(runtime.logs(instance.id)).rejects.toThrow(/not found/);
    await expect(runtime.stop(instance.id)).resolves.toBeUndefined();
  });

  it('publishes the web port on 127.0.0.1 when told to (a remote engine\'s way)', async () => {
    const published = new DockerRuntime(docker, undefined, [], { upstreams: 'published' });
    const artifact: Artifact = { kind: 'image', image: dockerfileTag, processes: { web: '' } };
    const instance = await published.start(spec('web', artifact, { slot: 4 }));
    expect(instance.upstream).toMatchObject({ host: '127.0.0.1' });
    expect(instance.upstream!.port).not.toBe(5000);
    expect(await waitFor('the web container', () => fetchJson(instance))).toMatchObject({ port: '5000' });
    expect((await published.list(app)).find((i) => i.id === instance.id)?.upstream).toEqual(instance.upstream);
    await published.stop(instance.id, { graceMs: 0 });
  });

  it('keeps one app\'s container from connecting to another\'s on the network, while this host reaches both', async () => {
    const artifact: Artifact = { kind: 'image', image: dockerfileTag, processes: { web: '' } };
    const target = await runtime.start(spec('web', artifact, { slot: 5 }));
    await waitFor('the target container', () => fetchJson(target));
    const other = await runtime.start(spec('web', artifact, { slot: 6, app: parseAppName(`rt-other-${suffix}`) }));
    try {
      await waitFor('the other container', () => fetchJson(other));
      const { host, port } = target.upstream!;
      expect(host).toBe((await docker.getContainer(target.id).inspect()).NetworkSettings.Networks[APPS_NETWORK]!.IPAddress);
      // From inside the other app's container: a TCP connection to the target's address gets no
      // answer (4); 3 would be a refusal, 0 a connection (what the default bridge allows).
      expect(await connectFrom(other.id, host, port)).toBe(4);
    } finally {
      await runtime.stop(other.id, { graceMs: 0 });
      await runtime.stop(target.id, { graceMs: 0 });
    }
  });

  it('starts web in a network namespace readied during the build: served at its holder\'s address, isolated, and the holder goes with it', async () => {
    const holding = new DockerRuntime(docker, undefined, [], { netnsHolderImage: await ensureNodeTestImage(docker) });
    const artifact: Artifact = { kind: 'image', image: dockerfileTag, processes: { web: '' } };
    holding.prepareStarts(app, 2);
    // Topping up: two are ready already, so this makes no third.
    holding.prepareStarts(app, 2);
    const instance = await holding.start(spec('web', artifact, { slot: 7 }));
    const info = await docker.getContainer(instance.id).inspect();
    expect(info.HostConfig.NetworkMode).toMatch(/^container:[0-9a-f]{64}$/);
    const holderId = info.HostConfig.NetworkMode!.slice('container:'.length);
    const holder = await docker.getContainer(holderId).inspect();
    expect(holder.Config.Labels).toMatchObject({ [LABEL.managed]: 'netns', [LABEL.app]: app });
    expect(instance.upstream).toEqual({ host: holder.NetworkSettings.Networks[APPS_NETWORK]!.IPAddress, port: 5000 });
    expect(await waitFor('the joined web container', () => fetchJson(instance))).toEqual({ port: '5000', greeting: 'hello from config', app });
    // A holder is not an instance; the instance's upstream reads the same after a restart of DevFlow.
    expect(await holding.list(app)).toEqual([{ ...instance, state: 'running' }]);
    expect(await new DockerRuntime(docker).list(app)).toEqual([{ ...instance, state: 'running' }]);

    const other = await runtime.start(spec('web', artifact, { slot: 8, app: parseAppName(`rt-other-${suffix}`) }));
    try {
      await waitFor('the other container', () => fetchJson(other));
      expect(await connectFrom(other.id, instance.upstream!.host, 5000)).toBe(4);
    } finally {
      await runtime.stop(other.id, { graceMs: 0 });
    }

    // Two were readied, one start took one: the other stays ready until DevFlow stops.
    expect((await holdersOf(app)).length).toBe(2);
    await holding.close();
    expect(await holdersOf(app)).toEqual([holderId]);
    await holding.stop(instance.id, { graceMs: 0 });
    expect(await holdersOf(app)).toEqual([]);
    expect(await holding.list(app)).toEqual([]);
    await expect(fetchJson(instance)).rejects.toThrow();
  });

  it('removes a ready network holder that no start took in time', async () => {
    const holders = new NetnsHolders(docker, await ensureNodeTestImage(docker), {}, () => randomBytes(2).toString('hex'), 5_000);
    const spare = parseAppName(`rt-spare-${suffix}`);
    holders.prepare(spare, APPS_NETWORK, 1);
    await waitFor('the holder', async () => ((await holdersOf(spare)).length === 1 ? true : undefined));
    await waitFor('the holder to expire', async () => ((await holdersOf(spare)).length === 0 ? true : undefined));
    expect(await holders.take(spare)).toBeUndefined();
  });

  it('reads a container\'s CPU time and memory as `docker stats` shows them', async () => {
    const artifact: Artifact = { kind: 'image', image: dockerfileTag, processes: { web: '' } };
    const instance = await runtime.start(spec('web', artifact, { slot: 3 }));
    await waitFor('the web container', () => fetchJson(instance));
    const reading = (await runtime.readUsage()).find((r) => r.instanceId === instance.id);
    const shownBytes = await dockerStatsMemoryBytes(instance.id);
    expect(reading).toMatchObject({ app, processType: 'web' });
    expect(reading!.cpuNs).toBeGreaterThan(0);
    // The CLI rounds, and the two are read a moment apart from an idle server: within 5%.
    expect(Math.abs(reading!.memoryBytes - shownBytes) / shownBytes).toBeLessThan(0.05);
    await runtime.stop(instance.id, { graceMs: 0 });
  });

  it('runs a process type through the image launcher, with stdout and stderr in its logs', async () => {
    const artifact: Artifact = { kind: 'image', image: launcherTag, processes: { web: 'node server.js', worker: 'node worker.js' } };
    const instance = await runtime.start(spec('worker', artifact, { slot: 2 }));
    expect(instance.upstream).toBeNull();
    expect((await docker.getContainer(instance.id).inspect()).Config.Cmd).toEqual(['worker']);

    const lines = await waitFor('the worker output', async () => {
      const logs = await runtime.logs(instance.id);
      return logs.length >= 2 ? logs : undefined;
    });
    // stdout and stderr are copied by separate pipes, so their relative order is not fixed.
    expect([...lines].sort()).toEqual(['worker on stderr', 'worker ready']);
    expect(await runtime.logs(instance.id, { tail: 1 })).toEqual(lines.slice(-1));

    await runtime.stop(instance.id);
    expect(await runtime.list(app)).toEqual([]);
  });

  it('ends a process that has no SIGTERM handler at SIGTERM, not at the grace period\'s SIGKILL (an init is PID 1)', async () => {
    const artifact: Artifact = { kind: 'image', image: launcherTag, processes: { web: 'node server.js', idle: 'node -e ...' } };
    const instance = await runtime.start(spec('idle', artifact));
    await waitFor('the idle process to start', async () => ((await runtime.logs(instance.id)).includes('idle ready') ? true : undefined));
    const container = docker.getContainer(instance.id);
    await container.stop({ t: 30 });
    // 143 is 128 + SIGTERM. Node as PID 1 would have ignored it and been killed after 30 s: 137.
    expect((await container.inspect()).State.ExitCode).toBe(143);
    await runtime.stop(instance.id);
  });

  it('refuses an image that is not in the engine instead of pulling it', async () => {
    const artifact: Artifact = { kind: 'image', image: `devflow-test/absent-${suffix}:v1`, processes: { web: '' } };
    await expect(runtime.start(spec('web', artifact))).rejects.toThrow(/never pulls/);
  });

  it('removes a release image, and removing it again is fine', async () => {
    const artifact: Artifact = { kind: 'image', image: launcherTag, processes: { web: 'x' } };
    await runtime.removeArtifact(artifact);
    expect(await imageExists(docker, launcherTag)).toBe(false);
    await expect(runtime.removeArtifact(artifact)).resolves.toBeUndefined();
  });
});
