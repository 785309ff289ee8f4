import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET, type EngineAddress } from '../../core/docker-engine.js';
import { DevflowError } from '../../core/errors.js';
import type { RuntimeKind } from '../../core/types.js';
import { dockerAnswers, selectRuntime } from './select.js';

let home: string;
const engine: EngineAddress = { socketPath: DEFAULT_SOCKET };
// An engine that cannot answer: a socket path that does not exist.
const noEngine: EngineAddress = { socketPath: '/nonexistent/docker.sock' };

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'devflow-select-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('selectRuntime', () => {
  const cases: Array<[string, RuntimeKind | 'auto' | undefined, EngineAddress, RuntimeKind]> = [
    ['auto with an engine', 'auto', engine, 'docker'],
    ['default (auto) with an engine', undefined, engine, 'docker'],
    ['auto without an engine', 'auto', noEngine, 'process'],
    ['process even with an engine', 'process', engine, 'process'],
    ['docker when asked', 'docker', engine, 'docker'],
  ];
  it.each(cases)('%s', async (_name, requested, engine, expected) => {
    const runtime = await selectRuntime({ requested, home, engine });
    expect(runtime.kind).toBe(expected);
  });

  it.each(['docker', 'process', 'swarm'] as const)('the %s driver gets DEVFLOW_MAX_RESTARTS, and 5 without it', async (requested) => {
    const info = (await new Docker(engine).info()) as { Swarm?: { LocalNodeState?: string } };
    if (requested === 'swarm' && info.Swarm?.LocalNodeState !== 'active') return;
    expect((await selectRuntime({ requested, home, engine, maxRestarts: 2 })).maxRestarts).toBe(2);
    expect((await selectRuntime({ requested, home, engine })).maxRestarts).toBe(5);
  });

  it('swarm runs on a swarm manager, and says clearly how to get one otherwise', async () => {
    const info = (await new Docker(engine).info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    const attempt = selectRuntime({ requested: 'swarm', home, engine });
    if (info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable) {
      expect((await attempt).kind).toBe('swarm');
    } else {
      await expect(attempt).rejects.toBeInstanceOf(DevflowError);
      await expect(attempt).rejects.toMatchObject({ code: 'runtime_unavailable', message: expect.stringMatching(/docker swarm init/) });
    }
    await expect(selectRuntime({ requested: 'swarm', home, engine: noEngine })).rejects.toMatchObject({ code: 'runtime_unavailable' });
  });

  it('refuses docker when asked for it and no engine answers', async () => {
    await expect(selectRuntime({ requested: 'docker', home, engine: noEngine })).rejects.toMatchObject({
      code: 'runtime_unavailable',
      message: expect.stringMatching(/no Docker engine answers/),
    });
  });

  it('refuses a runtime name it does not know', async () => {
    const requested = 'kubernetes' as RuntimeKind;
    await expect(selectRuntime({ requested, home, engine })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('dockerAnswers', () => {
  it('is true for the local engine and false for a missing one', async () => {
    expect(await dockerAnswers(engine)).toBe(true);
    expect(await dockerAnswers(noEngine)).toBe(false);
  });

  it('gives up on an engine that accepts the connection but never answers', async () => {
    const silent = createServer(() => {}); // accepts, never replies
    const socketPath = join(home, 'silent.sock');
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      expect(await dockerAnswers({ socketPath }, 200)).toBe(false);
    } finally {
      silent.close();
    }
  });
});
