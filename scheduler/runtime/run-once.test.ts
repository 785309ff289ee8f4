/**
 * runOnce (the release phase) on both drivers, with real processes and a real Docker engine:
 * output lines arrive live and in order, the exit status is reported, a timeout kills it, and
 * nothing is left behind.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import type { Artifact } from '../../core/types.js';
import { DockerRuntime } from './docker.js';
import { ProcessRuntime } from './process.js';
import { imageExists } from '../../builder/docker-images.js';
import { STACK_RUN_IMAGE, buildTestImage } from './test-support.js';
import type { InstanceSpec, RuntimeDriver } from './types.js';

const suffix = randomBytes(3).toString('hex');
const app = parseAppName(`once-${suffix}`);
const COMMANDS = {
  ok: 'echo "migrating $GREETING"; echo "to stderr" >&2; echo done',
  fail: 'echo "about to fail"; exit 3',
  slow: 'echo started; sleep 30; echo never',
};

function spec(artifact: Artifact, type: keyof typeof COMMANDS): InstanceSpec {
  return { app, release: 2, processType: parseProcessType(type), slot: 1, artifact, env: { GREETING: 'hello' } };
}

async function expectRunOnce(runtime: RuntimeDriver, artifact: Artifact): Promise<void> {
  const live: string[] = [];
  const ok = await runtime.runOnce!(spec(artifact, 'ok'), { timeoutMs: 60_000, onLine: (l) => live.push(l) });
  expect(ok.exitCode).toBe(0);
  expect(ok.timedOut).toBe(false);
  expect(ok.output).toEqual(expect.arrayContaining(['migrating hello', 'to stderr', 'done']));
  expect(live).toEqual(ok.output);
  const failed = await runtime.runOnce!(spec(artifact, 'fail'), { timeoutMs: 60_000 });
  expect([failed.exitCode, failed.output]).toEqual([3, ['about to fail']]);
  const started = Date.now();
  const slow = await runtime.runOnce!(spec(artifact, 'slow'), { timeoutMs: 1_500 });
  expect(slow.timedOut).toBe(true);
  expect(slow.output).toEqual(['started']);
  expect(Date.now() - started).toBeLessThan(25_000);
  expect(await runtime.list(app)).toEqual([]);
}

describe('runOnce on the process runtime', () => {
  let home: string;
  afterAll(async () => {
    if (home) await fs.rm(home, { recursive: true, force: true });
  });

  it('runs the command in the slug with the config, reports output and exit status, and kills it on timeout', async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-once-'));
    const dir = path.join(home, 'slug');
    await fs.mkdir(dir);
    await expectRunOnce(new ProcessRuntime({ home }), { kind: 'slug', dir, processes: COMMANDS, env: {} });
  });
});

describe('runOnce on the docker runtime', () => {
  const docker = new Docker();
  const tag = `devflow-test/run-once-${suffix}:latest`;
  afterAll(async () => {
    await docker.getImage(tag).remove({ force: true }).catch(() => {});
  });

  it('runs a container of the image, reports output and exit status, kills it on timeout, and removes it', async () => {
    // scripts/test.sh builds the stack images before any test runs (`devflow stack build`).
    expect(await imageExists(docker, STACK_RUN_IMAGE), `${STACK_RUN_IMAGE} is missing: run node bin/devflow.js stack build`).toBe(true);
    // A stand-in for the CNB launcher: the process type is the argument.
    const launcher = Object.entries(COMMANDS).map(([type, cmd]) => `  ${type}) ${cmd} ;;`).join('\n');
    await buildTestImage(tag, `FROM ${STACK_RUN_IMAGE}\nCOPY launcher /launcher\nUSER root\nENTRYPOINT ["/bin/sh", "/launcher"]\n`, {
      launcher: `case "$1" in\n${launcher}\nesac\n`,
    });
    const runtime = new DockerRuntime(docker, `/tmp/devflow-once-${suffix}`);
    await expectRunOnce(runtime, { kind: 'image', image: tag, processes: COMMANDS });
  });
});
