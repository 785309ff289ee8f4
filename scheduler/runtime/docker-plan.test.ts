import { describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import type { Artifact } from '../../core/types.js';
import {
  containerCommand,
  type ContainerCommand,
  containerCreateOptions,
  containerEnv,
  containerLabels,
  containerName,
  identityFromLabels,
  instanceStateFromDocker,
  publishedPortFromInspect,
  publishedPortFromPorts,
} from './docker-plan.js';
import type { InstanceSpec } from './types.js';
import { PUBLISHED } from './docker-upstream.js';

const app = parseAppName('shop');
const web = parseProcessType('web');
const worker = parseProcessType('worker');
const buildpackImage: Artifact = { kind: 'image', image: 'devflow/shop:v3', processes: { web: 'npm start', worker: 'node worker.js' } };
const dockerfileImage: Artifact = { kind: 'image', image: 'devflow/shop:v4', processes: { web: '' } };
const dockerfileProcfile: Artifact = {
  kind: 'image', image: 'devflow/shop:v5', launch: 'shell', processes: { web: '', release: 'node migrate.js && echo "done; ok"' },
};
const slug: Artifact = { kind: 'slug', dir: '/tmp/slug', processes: { web: 'npm start' }, env: {} };

function spec(overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  return { app, release: 3, processType: web, slot: 2, artifact: buildpackImage, env: { A: '1' }, ...overrides };
}

describe('containerCommand', () => {
  const cases: Array<[string, Artifact, string, ContainerCommand]> = [
    ['buildpack web: the launcher gets the type', buildpackImage, 'web', { cmd: ['web'] }],
    ['buildpack worker', buildpackImage, 'worker', { cmd: ['worker'] }],
    ['Dockerfile image: its own CMD', dockerfileImage, 'web', {}],
    ['Dockerfile image, web not in the Procfile: its own CMD', dockerfileProcfile, 'web', {}],
    ['Dockerfile image, Procfile line: one argument to sh -c', dockerfileProcfile, 'release',
      { entrypoint: ['/bin/sh', '-c'], cmd: ['node migrate.js && echo "done; ok"'] }],
  ];
  it.each(cases)('%s', (_name, artifact, type, expected) => {
    expect(containerCommand(artifact, parseProcessType(type))).toEqual(expected);
  });

  it.each([
    ['buildpack image: through the launcher, in its launch environment', buildpackImage, { cmd: ['--', '/bin/sh', '-c', 'node migrate.js "$X"'] }],
    ['Dockerfile image: sh -c instead of its ENTRYPOINT', dockerfileProcfile, { entrypoint: ['/bin/sh', '-c'], cmd: ['node migrate.js "$X"'] }],
  ] as Array<[string, Artifact, ContainerCommand]>)('a one-off command (devflow run, cron), %s', (_name, artifact, expected) => {
    expect(containerCommand(artifact, parseProcessType('run'), 'node migrate.js "$X"')).toEqual(expected);
  });

  it('refuses a process type the release does not have, naming the ones it has', () => {
    expect(() => containerCommand(dockerfileImage, worker)).toThrow(/"worker" is not in this release \(it has: web\)/);
  });

  it('refuses a slug: that is the process runtime', () => {
    expect(() => containerCommand(slug, web)).toThrow(/use the process runtime/);
  });
});

describe('names and labels', () => {
  it('names containers devflow-<app>-<type>-v<release>-<slot>-<random>', () => {
    expect(containerName({ app, processType: worker, release: 12, slot: 1 }, 'a1b2')).toBe('devflow-shop-worker-v12-1-a1b2');
  });

  it('labels round-trip', () => {
    const labels = containerLabels({ app, processType: web, release: 3, slot: 2 });
    expect(labels).toEqual({
      'devflow.app': 'shop',
      'devflow.release': '3',
      'devflow.process': 'web',
      'devflow.slot': '2',
      'devflow.managed': 'true',
    });
    expect(identityFromLabels(labels)).toEqual({ app, processType: web, release: 3, slot: 2 });
  });

  const bad: Array<[string, Record<string, string> | undefined]> = [
    ['no labels', undefined],
    ['not managed', { 'devflow.app': 'shop', 'devflow.release': '3', 'devflow.process': 'web', 'devflow.slot': '1' }],
    ['bad release', { ...containerLabels({ app, processType: web, release: 3, slot: 1 }), 'devflow.release': 'x' }],
    ['bad app', { ...containerLabels({ app, processType: web, release: 3, slot: 1 }), 'devflow.app': 'Bad App' }],
  ];
  it.each(bad)('ignores containers with %s', (_name, labels) => {
    expect(identityFromLabels(labels)).toBeNull();
  });
});

describe('containerEnv', () => {
  it('adds PORT=5000 and lets nothing override it', () => {
    expect(containerEnv({ A: 'x=y', PORT: '80' })).toEqual(['A=x=y', 'PORT=5000']);
  });
});

describe('containerCreateOptions', () => {
  it('publishes web on 127.0.0.1 with an ephemeral port and applies limits', () => {
    const options = containerCreateOptions(spec({ memoryMb: 256, cpus: 0.5 }), 'devflow-shop-web-v3-2-abcd');
    expect(options).toEqual({
      name: 'devflow-shop-web-v3-2-abcd',
      Image: 'devflow/shop:v3',
      Cmd: ['web'],
      Env: ['A=1', 'PORT=5000'],
      Labels: containerLabels(spec()),
      ExposedPorts: { '5000/tcp': {} },
      HostConfig: {
        PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        Memory: 256 * 1024 * 1024,
        NanoCpus: 500_000_000,
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
        Init: true,
      },
    });
  });

  it('publishes nothing for a worker and keeps a Dockerfile image CMD', () => {
    const options = containerCreateOptions(
      spec({ processType: worker, artifact: { kind: 'image', image: 'i', processes: { worker: '' } } }),
      'n',
    );
    expect(options.Cmd).toBeUndefined();
    expect(options.ExposedPorts).toBeUndefined();
    expect(options.HostConfig).toEqual({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 }, Init: true });
  });

  it("gives a one-off run (devflow run, cron) its size's memory and CPU limits, no port, its command under the launcher's shell", () => {
    const oneOff = spec({ processType: parseProcessType('run'), command: 'node scripts/migrate.js', memoryMb: 2048, cpus: 2 });
    const options = containerCreateOptions(oneOff, 'n');
    expect(options.Cmd).toEqual(['--', '/bin/sh', '-c', 'node scripts/migrate.js']);
    expect(options.ExposedPorts).toBeUndefined();
    expect(options.HostConfig).toMatchObject({ Memory: 2048 * 1024 * 1024, NanoCpus: 2_000_000_000 });
    expect(options.HostConfig?.PortBindings).toBeUndefined();
  });

  it('on the bridge route, publishes nothing and joins every container to the route\'s network', () => {
    const route = { kind: 'bridge', network: 'devflow-apps' } as const;
    const webOptions = containerCreateOptions(spec(), 'n', [], route);
    expect(webOptions.ExposedPorts).toEqual({ '5000/tcp': {} });
    expect(webOptions.HostConfig).toEqual({ NetworkMode: 'devflow-apps', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 }, Init: true });
    const workerOptions = containerCreateOptions(spec({ processType: worker }), 'n', [], route);
    expect(workerOptions.HostConfig).toEqual({ NetworkMode: 'devflow-apps', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 }, Init: true });
  });

  it('given a holder on the bridge route, joins its network namespace and exposes no port; on the published route a holder is ignored', () => {
    const route = { kind: 'bridge', network: 'devflow-apps' } as const;
    const joined = containerCreateOptions(spec(), 'n', [], route, 5, 'abc123');
    expect(joined.ExposedPorts).toBeUndefined();
    expect(joined.HostConfig).toEqual({ NetworkMode: 'container:abc123', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 }, Init: true });
    const published = containerCreateOptions(spec(), 'n', [], PUBLISHED, 5, 'abc123');
    expect(published.ExposedPorts).toEqual({ '5000/tcp': {} });
    expect(published.HostConfig?.NetworkMode).toBeUndefined();
    expect(published.HostConfig?.PortBindings).toEqual({ '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });

  it('mounts the driver\'s shared directories read-only', () => {
    const options = containerCreateOptions(spec(), 'n', [{ hostPath: '/home/df/otel-agent', containerPath: '/opt/devflow/otel' }]);
    expect(options.HostConfig?.Binds).toEqual(['/home/df/otel-agent:/opt/devflow/otel:ro']);
  });

  // DEVFLOW_MAX_RESTARTS: the engine restarts a failed container that often, then leaves it exited.
  it.each([
    [undefined, 5],
    [1, 1],
    [2, 2],
    [20, 20],
  ])('restarts a failed container %s times (undefined: the default) → MaximumRetryCount %d', (maxRestarts, expected) => {
    for (const type of [web, worker]) {
      const options = containerCreateOptions(spec({ processType: type }), 'n', [], undefined, maxRestarts);
      expect(options.HostConfig?.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: expected });
    }
  });
});

describe('reading docker back', () => {
  const states: Array<[string, string]> = [
    ['running', 'running'],
    ['created', 'starting'],
    ['restarting', 'starting'],
    ['exited', 'exited'],
    ['dead', 'exited'],
    ['removing', 'exited'],
  ];
  it.each(states)('docker state %s is %s', (docker, expected) => {
    expect(instanceStateFromDocker(docker)).toBe(expected);
  });

  it('finds the published web port in docker ps data', () => {
    expect(publishedPortFromPorts([{ PrivatePort: 5000, Type: 'tcp', IP: '127.0.0.1', PublicPort: 49153 }])).toBe(49153);
    expect(publishedPortFromPorts([{ PrivatePort: 5000, Type: 'tcp' }])).toBeUndefined();
    expect(publishedPortFromPorts([])).toBeUndefined();
  });

  it('finds the published web port in docker inspect data', () => {
    expect(publishedPortFromInspect({ '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '32768' }] })).toBe(32768);
    expect(publishedPortFromInspect({ '5000/tcp': null })).toBeUndefined();
    expect(publishedPortFromInspect(undefined)).toBeUndefined();
  });
});
