/**
 * `devflow run --tty` on the docker runtime, with the real engine: a container with a TTY
 * answers typed commands, `stty size` inside follows the size given at start and the engine's
 * resize, the exit code comes back, and an aborted session (its client went away) kills the
 * container, which is removed.
 */
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { imageExists } from '../../builder/docker-images.js';
import { parseAppName, parseProcessType } from '../../core/names.js';
import { DockerRuntime } from './docker.js';
import { STACK_RUN_IMAGE, waitFor } from './test-support.js';
import type { InstanceSpec } from './types.js';

const docker = new Docker();
const suffix = randomBytes(3).toString('hex');
const app = parseAppName(`tty-${suffix}`);

function spec(command: string): InstanceSpec {
  return {
    app, release: 1, processType: parseProcessType('run'), slot: 1, command, env: { GREETING: 'hello' },
    artifact: { kind: 'image', image: STACK_RUN_IMAGE, processes: {}, launch: 'shell' },
  };
}

async function containersOf(): Promise<string[]> {
  const found = await docker.listContainers({ all: true, filters: { label: [`devflow.app=${app}`] } });
  return found.map((c) => c.Id);
}

describe('run --tty on the docker runtime', () => {
  const runtime = new DockerRuntime(docker, `/tmp/devflow-tty-${suffix}`);

  it('gives a terminal: typed commands answer, the size follows resizes, the exit code comes back, the container is removed', async () => {
    // scripts/test.sh builds the stack images before any test runs (`devflow stack build`).
    expect(await imageExists(docker, STACK_RUN_IMAGE), `${STACK_RUN_IMAGE} is missing: run node bin/devflow.js stack build`).toBe(true);
    let screen = '';
    const shows = (text: string) => waitFor(`the terminal to show ${text}`, async () => (screen.includes(text) ? true : undefined), 30_000);
    const session = await runtime.runTty(spec('sh'), { timeoutMs: 120_000, rows: 30, cols: 100, onData: (c) => (screen += c.toString('utf8')) });
    session.write(Buffer.from('echo "greeting is $GREETING"\r'));
    await shows('greeting is hello');
    session.write(Buffer.from('stty size\r'));
    await shows('30 100');
    session.resize(40, 120);
    await waitFor('the resize to reach the container', async () => {
      session.write(Buffer.from('stty size\r'));
      await new Promise((r) => setTimeout(r, 200));
      return screen.includes('40 120') ? true : undefined;
    });
    session.write(Buffer.from('exit 4\r'));
    expect(await session.exited).toEqual({ exitCode: 4, timedOut: false });
    expect(await containersOf()).toEqual([]);
  });

  it('a command that exits at once still returns its output and exit code', async () => {
    // No typing: the container may exit before DevFlow asks the engine to wait for it.
    let screen = '';
    const session = await runtime.runTty(spec('echo first; exit 3'), { timeoutMs: 60_000, rows: 24, cols: 80, onData: (c) => (screen += c.toString('utf8')) });
    expect(await session.exited).toEqual({ exitCode: 3, timedOut: false });
    expect(screen).toContain('first');
    expect(await containersOf()).toEqual([]);
  });

  it('kills and removes the container when the client goes away', async () => {
    const controller = new AbortController();
    let screen = '';
    const session = await runtime.runTty(spec('echo ready; sleep 300'), {
      timeoutMs: 120_000, rows: 24, cols: 80, signal: controller.signal, onData: (c) => (screen += c.toString('utf8')),
    });
    await waitFor('the container to start', async () => (screen.includes('ready') ? true : undefined), 30_000);
    expect((await containersOf()).length).toBe(1);
    controller.abort();
    const ended = await session.exited;
    expect(ended.exitCode).toBe(137);
    expect(await containersOf()).toEqual([]);
  });
});
