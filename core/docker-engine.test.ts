import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET, dockerClient, engineAddressFromEnv, engineAnswers, engineGet, type EngineAddress } from './docker-engine.js';
import { engineBridgeAccess } from './embedded-postgres/docker-bridge.js';

describe('engineAddressFromEnv (docker-modem rules)', () => {
  const present = () => true;
  const absent = () => false;
  const cases: Array<[string, NodeJS.ProcessEnv, (file: string) => boolean, EngineAddress | undefined]> = [
    ['no DOCKER_HOST: the system socket', {}, present, { socketPath: DEFAULT_SOCKET }],
    ['no system socket: Docker Desktop in the home', {}, absent, { socketPath: '/home/u/.docker/run/docker.sock' }],
    ['unix:// with a path', { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, present, { socketPath: '/run/user/1000/docker.sock' }],
    ['unix:// alone: the default socket', { DOCKER_HOST: 'unix://' }, present, { socketPath: DEFAULT_SOCKET }],
    ['tcp:// without TLS', { DOCKER_HOST: 'tcp://10.0.0.5:2375' }, present, { host: '10.0.0.5', port: 2375 }],
    ['host:port without a scheme is tcp', { DOCKER_HOST: 'docker.internal:2375' }, present, { host: 'docker.internal', port: 2375 }],
    ['tcp:// with DOCKER_TLS_VERIFY=1 needs dockerode', { DOCKER_HOST: 'tcp://10.0.0.5:2375', DOCKER_TLS_VERIFY: '1' }, present, undefined],
    ['the TLS port 2376 needs dockerode', { DOCKER_HOST: 'tcp://10.0.0.5:2376' }, present, undefined],
    ['ssh:// needs dockerode', { DOCKER_HOST: 'ssh://me@build-host' }, present, undefined],
  ];
  it.each(cases)('%s', (_name, env, exists, expected) => {
    expect(engineAddressFromEnv(env, exists, '/home/u')).toEqual(expected);
  });
});

describe('plain requests to the engine', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'devflow-engine-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('pings the local engine, and not a missing or silent one', async () => {
    expect(await engineAnswers({ socketPath: DEFAULT_SOCKET }, 1_000)).toBe(true);
    expect(await engineAnswers({ socketPath: '/nonexistent/docker.sock' }, 1_000)).toBe(false);
    const silent = createServer(() => {}); // accepts, never replies
    const socketPath = join(dir, 'silent.sock');
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      expect(await engineGet({ socketPath }, '/_ping', 200)).toBeUndefined();
    } finally {
      silent.close();
    }
  });

  it('reads the same bridge networks as dockerode does', async () => {
    const docker = await dockerClient({ socketPath: DEFAULT_SOCKET });
    const [plain, viaDockerode] = await Promise.all([engineBridgeAccess({ socketPath: DEFAULT_SOCKET }), engineBridgeAccess(docker)]);
    expect(plain.listen.length).toBe(1);
    // The engine lists networks in no fixed order.
    expect({ ...plain, subnets: plain.subnets.sort() }).toEqual({ ...viaDockerode, subnets: viaDockerode.subnets.sort() });
  });
});
