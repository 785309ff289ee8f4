/**
 * The lifecycle end to end on both targets, with third-party style fixture buildpacks
 * (tests/fixtures/buildpacks: plain shell, Buildpack API 0.10) that DevFlow runs unchanged.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { buildApp, type BuildRequest } from '../build.js';
import { buildStack } from '../stack.js';
import { collectLog, fetchBody, removeImages, runImage, startSlug } from '../test-support.js';
import { defaultBuildpacksDir } from './buildpacks.js';

const docker = new Docker();
const fixtures = join(defaultBuildpacksDir(), '..', 'tests', 'fixtures', 'buildpacks');
const scratch: string[] = [];
const images: string[] = [];
let n = 0;

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

async function appWith(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('devflow-cnb-app-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text, { mode: name.includes('/bin/') ? 0o755 : 0o644 });
  }
  return dir;
}

async function build(sourceDir: string, target: BuildRequest['target'], extra: Partial<BuildRequest> = {}) {
  const { lines, log } = collectLog();
  const sha = (++n).toString(16).padStart(40, '0');
  const req: BuildRequest = {
    app: parseAppName('cnb-fixture'), sha, sourceDir, target, log, docker,
    workDir: await tempDir('devflow-work-'), cacheDir: await tempDir('devflow-cache-'),
    env: { BP_GREETING: 'howdy' }, ...extra,
  };
  const result = await buildApp(req).catch((err: unknown) => {
    if (err instanceof BuildError) (err as BuildError & { log?: string[] }).log = lines;
    throw err;
  });
  if (result.artifact.kind === 'image') images.push(result.artifact.image);
  return { result, lines };
}

async function serve(artifact: Awaited<ReturnType<typeof build>>['result']['artifact']) {
  return artifact.kind === 'image' ? runImage(artifact.image) : startSlug(artifact);
}

/** Runs a process type to completion the way each runtime would, returning its output. */
async function runType(artifact: Awaited<ReturnType<typeof build>>['result']['artifact'], type: string): Promise<string> {
  if (artifact.kind === 'image') return (await execa('/usr/bin/docker', ['run', '--rm', artifact.image, type])).stdout;
  const command = artifact.processes[type] ?? '';
  return (await execa('/bin/sh', ['-c', command], { cwd: artifact.dir, env: { PATH: process.env.PATH ?? '' }, extendEnv: false })).stdout;
}

beforeAll(async () => {
  await buildStack({ docker, log: { line: () => undefined } });
});

afterAll(async () => {
  await removeImages(images);
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe.each(['slug', 'image'] as const)('fixture buildpacks, %s target', (target) => {
  it('runs the meta-buildpack group: plan metadata, platform env, layer env, lib/, exec.d, processes', async () => {
    const app = await appWith({ 'README.md': 'an app the fixtures build' });
    const { result, lines } = await build(app, target, { buildpacksDir: fixtures });
    const log = lines.join('\n');
    expect(result.buildpacks).toEqual(['samples/hello-world', 'samples/processes']);
    expect(log).toContain('Detected buildpacks: samples/hello-world@0.0.1, samples/processes@0.0.1');
    expect(log).toContain('BP_GREETING from the environment: howdy');
    expect(log).toContain('env files: BP_GREETING');
    expect(log).toContain('greeting = "howdy"');
    expect(log).toMatch(/Processes buildpack \(HELLO_BUILT=built, hello-server on PATH: \S+hello\/bin\/hello-server\)/);
    const running = await serve(result.artifact);
    try {
      const body = JSON.parse(await fetchBody(running.url)) as Record<string, string>;
      expect(body.greeting).toBe('howdy from hello-world');
      expect(body.extra).toBe('one,two');
      expect(body.execd).toBe('set by exec.d');
      expect(body.ld).toMatch(/samples_hello-world\/hello\/lib$/);
    } finally {
      await running.stop();
    }
    expect(Object.keys(result.artifact.processes).sort()).toEqual(['legacy', 'web', 'where', 'worker']);
    expect((await runType(result.artifact, 'where')).split('\n')).toEqual([expect.stringMatching(/\/sub$/), 'in sub', 'default-arg']);
    expect(await runType(result.artifact, 'legacy')).toBe('legacy one,two');
  });

  it('builds with project.toml: a buildpack inside the repository, an inline script, build.env, exclude', async () => {
    const app = await appWith({
      'project.toml': [
        '[_]', 'schema-version = "0.2"',
        '[io.buildpacks]', 'exclude = ["secrets/", "*.log"]',
        '[[io.buildpacks.build.env]]', 'name = "BP_GREETING"', 'value = "from project.toml"',
        '[[io.buildpacks.group]]', 'uri = "cnb/hello"',
        '[[io.buildpacks.group]]', 'id = "project/inline"',
        '[io.buildpacks.group.script]', 'api = "0.10"', 'shell = "/bin/bash"',
        'inline = "echo inline sees $HELLO_BUILT; ls; test ! -e debug.log"',
      ].join('\n'),
      'secrets/key.txt': 'never in the build',
      'debug.log': 'noise',
      'keep.txt': 'kept',
    });
    await cp(join(fixtures, 'hello-world'), join(app, 'cnb', 'hello'), { recursive: true });
    const { result, lines } = await build(app, target, { env: {} });
    const log = lines.join('\n');
    expect(result.buildpacks).toEqual(['samples/hello-world', 'project/inline']);
    expect(log).toContain('BP_GREETING from the environment: from project.toml');
    expect(log).toContain('inline sees built');
    expect(log).toContain('keep.txt');
    expect(log).not.toContain('secrets');
    const running = await serve(result.artifact);
    try {
      expect(JSON.parse(await fetchBody(running.url))).toMatchObject({ greeting: 'from project.toml from hello-world' });
    } finally {
      await running.stop();
    }
  });

  it.each([
    ['a buildpack that exits non-zero', { 'project.toml': '[[io.buildpacks.group]]\nuri = "bp"\n' }, 'fails', /build: buildpack samples\/fails@0.0.1: bin\/build exited 7/],
    ['a malformed launch.toml', { 'project.toml': '[[io.buildpacks.group]]\nuri = "bp"\n' }, 'bad-launch', /buildpack samples\/bad-launch wrote an invalid launch.toml/],
    ['a malformed buildpack.toml', { 'project.toml': '[[io.buildpacks.group]]\nuri = "bp"\n', 'bp/buildpack.toml': 'api = "0.10"\n[buildpack]\nid = "x"\n' }, null, /bp\/buildpack.toml \(in the repository\): \[buildpack\] version is missing/],
    ['a malformed project.toml', { 'project.toml': '[[io.buildpacks.group]\n' }, null, /project.toml: not valid TOML/],
    ['no group passing detection', { 'README.md': 'x' }, null, /no buildpack group passed detection/],
  ])('fails clearly on %s', async (_name, files, fixture, message) => {
    const app = await appWith(files);
    if (fixture) await cp(join(fixtures, fixture), join(app, 'bp'), { recursive: true });
    const err = await build(app, target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toMatch(message);
    if (fixture === 'fails') expect((err as BuildError).tail).toContain('error: the thing is broken');
  });
});
