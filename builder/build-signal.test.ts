/**
 * A build ended by its signal (its time limit, DevFlow stopping: scheduler/build-deadline.ts), on
 * each way a build runs: buildpacks on the host (slug), buildpacks in the warm build container
 * (image), and `docker build` of a Dockerfile. Each build starts a `sleep` with a number no
 * other process uses, in the background of its step and in the foreground, then the test aborts:
 * the build must reject with the signal's own reason (what the pusher reads), no such `sleep` may
 * be left on the machine (the host sees a container's processes too), and the app's next build
 * must succeed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildError } from '../core/errors.js';
import { parseAppName } from '../core/names.js';
import { buildApp, imageTag, type BuildRequest } from './build.js';
import { buildStack } from './stack.js';
import { removeImages } from './test-support.js';
import { leftRunning, runningSoon } from '../tests/support/processes.js';

const docker = new Docker();
const scratch: string[] = [];
const images: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

async function appWith(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('devflow-signal-app-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

/** A project.toml whose only buildpack is an inline script (the CNB project descriptor). */
function inlineBuild(script: string): string {
  return ['[_]', 'schema-version = "0.2"', '[[io.buildpacks.group]]', 'id = "test/inline"',
    '[io.buildpacks.group.script]', 'api = "0.10"', 'shell = "/bin/bash"', `inline = ${JSON.stringify(script)}`].join('\n');
}

const APP = parseAppName('signal-test');

function start(req: Omit<BuildRequest, 'app' | 'sha' | 'log' | 'env'>, signal?: AbortSignal, waitFor?: string) {
  const lines: string[] = [];
  let saw: () => void = () => undefined;
  const seen = new Promise<void>((resolve) => (saw = resolve));
  const log = {
    line(text: string) {
      lines.push(text);
      if (waitFor !== undefined && text.includes(waitFor)) saw();
    },
  };
  const sha = randomBytes(20).toString('hex');
  const done = buildApp({ app: APP, sha, log, env: {}, docker, signal, ...req }).then((result) => {
    if (result.artifact.kind === 'image') images.push(result.artifact.image);
    return result;
  });
  done.catch(() => saw());
  return { done, lines, seen, sha };
}

beforeAll(async () => {
  await buildStack({ docker, log: { line: () => undefined } });
});

afterAll(async () => {
  await removeImages(images);
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe.each(['slug', 'image'] as const)('a buildpacks build ended by its signal, %s target', (target) => {
  it('rejects with the reason, leaves none of its processes running, and the next build works', async () => {
    const needle = target === 'slug' ? '4243.11' : '4243.22';
    const app = await appWith({ 'project.toml': inlineBuild(`sleep ${needle}0 & echo $((6*7)) asleep; sleep ${needle}`) });
    const dirs = { workDir: await tempDir('devflow-work-'), cacheDir: await tempDir('devflow-cache-') };
    const slugDir = join(await tempDir('devflow-slug-'), 'slug');
    const controller = new AbortController();
    const build = start({ sourceDir: app, target, slugDir, ...dirs }, controller.signal, '42 asleep');
    await build.seen;
    await runningSoon(`${needle}0`);
    expect(await runningSoon(needle), build.lines.join('\n')).toHaveLength(2);
    const reason = new BuildError('build', 'stopped by the test');
    controller.abort(reason);
    await expect(build.done).rejects.toBe(reason);
    expect(await leftRunning(needle)).toEqual([]);
    // The kill itself is not reported as the command's failure (with the host's paths in it).
    expect(build.lines.join('\n')).not.toMatch(/SIGKILL|killed/);

    // The same app's next build, in the same cache, is not held up by what the first one left.
    await writeFile(join(app, 'project.toml'), inlineBuild('echo built again'));
    const next = start({ sourceDir: app, target, slugDir, ...dirs });
    await expect(next.done).resolves.toMatchObject({ strategy: 'buildpacks', buildpacks: ['test/inline'] });
    expect(next.lines).toContain('built again');
  });

  it('a signal already aborted runs nothing', async () => {
    const app = await appWith({ 'project.toml': inlineBuild('echo should not run') });
    const reason = new BuildError('build', 'stopped before it began');
    const build = start({ sourceDir: app, target, workDir: await tempDir('devflow-work-'), cacheDir: await tempDir('devflow-cache-') }, AbortSignal.abort(reason));
    await expect(build.done).rejects.toBe(reason);
    expect(build.lines.join('\n')).not.toContain('should not run');
  });
});

describe('a Dockerfile build ended by its signal', () => {
  it('rejects with the reason, the engine stops the step, and no image is tagged', async () => {
    const needle = '4243.33';
    const app = await appWith({
      Dockerfile: `FROM devflow/stack-run:bookworm\nRUN echo $((6*7)) asleep && sleep ${needle}\n`,
    });
    const controller = new AbortController();
    const build = start({ sourceDir: app, target: 'image', workDir: await tempDir('devflow-work-'), cacheDir: await tempDir('devflow-cache-') }, controller.signal, '42 asleep');
    await build.seen;
    expect(await runningSoon(needle), build.lines.join('\n')).not.toEqual([]);
    const reason = new BuildError('build', 'stopped by the test');
    controller.abort(reason);
    await expect(build.done).rejects.toBe(reason);
    expect(await leftRunning(needle)).toEqual([]);
    const tagged = await docker.listImages({ filters: { reference: [imageTag(APP, build.sha)] } });
    expect(tagged).toEqual([]);
  });
});
