import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildError } from '../core/errors.js';
import { parseAppName } from '../core/names.js';
import { buildApp, chooseStrategy, type BuildRequest } from './build.js';
import { defaultBuildpacksDir } from './cnb/buildpacks.js';
import { buildStack } from './stack.js';
import { collectLog, fetchBody, removeImages, runImage, startSlug } from './test-support.js';

const docker = new Docker();
const examples = join(defaultBuildpacksDir(), '..', 'examples');
const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
const scratch: string[] = [];
const images: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A build request for `sourceDir` with fresh scratch and cache dirs unless given. */
async function request(app: string, sourceDir: string, target: BuildRequest['target'], extra: Partial<BuildRequest> = {}) {
  const { lines, log } = collectLog();
  const req: BuildRequest = {
    app: parseAppName(app),
    sha: SHA,
    sourceDir,
    target,
    workDir: await tempDir('devflow-work-'),
    cacheDir: extra.cacheDir ?? (await tempDir('devflow-cache-')),
    env: { GREETING: 'hi' },
    log,
    docker,
    ...extra,
  };
  return { req, lines };
}

async function copyExample(name: string): Promise<string> {
  const dir = await tempDir(`devflow-src-${name}-`);
  await cp(join(examples, name), dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  await buildStack({ docker, log: { line: () => undefined } });
});

afterAll(async () => {
  await removeImages(images);
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('chooseStrategy', () => {
  it.each([
    [{ hasDockerfile: true }, 'dockerfile'],
    [{ hasDockerfile: false }, 'buildpacks'],
  ] as const)('%j -> %s', (files, strategy) => {
    expect(chooseStrategy(files)).toBe(strategy);
  });
});

describe('buildApp, slug target', () => {
  it.each([
    ['node-hello', 'Hello from node-hello\n'],
    ['node-deps', 'node-deps says: one day is 86400000 ms, 90000 ms is 2 minutes\n'],
    ['static-site', 'Hello from static-site'],
  ])('builds %s into a slug that serves on PORT', async (name, body) => {
    const { req } = await request(name, join(examples, name), 'slug');
    const result = await buildApp(req);
    expect(result.strategy).toBe('buildpacks');
    const running = await startSlug(result.artifact);
    try {
      expect(await fetchBody(running.url)).toContain(body);
    } finally {
      await running.stop();
    }
  });

  it('builds a Procfile-only app with the Procfile buildpack', async () => {
    const src = await tempDir('devflow-src-procfile-');
    await writeFile(join(src, 'Procfile'), 'web: node serve.js "Procfile app"\n');
    await writeFile(
      join(src, 'serve.js'),
      "require('http').createServer((q, r) => r.end('hello from the ' + process.argv[2] + '\\n')).listen(process.env.PORT);\n",
    );
    const { req } = await request('procfile-app', src, 'slug');
    const result = await buildApp(req);
    expect(result.buildpacks).toEqual(['devflow/procfile']);
    // A slug's processes run through its launcher, which applies the launch environment.
    expect(result.artifact.processes).toEqual({ web: expect.stringMatching(/^exec \S+\/cnb\/process\/web$/) });
    const running = await startSlug(result.artifact);
    try {
      expect(await fetchBody(running.url)).toBe('hello from the Procfile app\n');
    } finally {
      await running.stop();
    }
  });

  it('refuses a Dockerfile app, pointing at the docker runtime', async () => {
    const { req } = await request('dockerfile-app', join(examples, 'dockerfile-app'), 'slug');
    const err = await buildApp(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toMatch(/has a Dockerfile, which needs the docker runtime/);
  });

  it('fails with the tail of the output when the build script exits 1, leaving no slug', async () => {
    const src = await copyExample('node-hello');
    const pkg = JSON.parse(await readFile(join(src, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    pkg.scripts.build = 'echo compiling the assets && exit 1';
    await writeFile(join(src, 'package.json'), JSON.stringify(pkg));
    const { req } = await request('node-hello', src, 'slug');
    const err = await buildApp(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).phase).toBe('build');
    expect((err as BuildError).message).toMatch(/buildpack devflow\/nodejs@0\.2\.0: bin\/build exited 1/);
    expect((err as BuildError).tail.join('\n')).toContain('compiling the assets');
    expect(existsSync(join(req.cacheDir, 'slugs', SHA.slice(0, 12)))).toBe(false);
  });
});

describe('buildApp, image target', () => {
  it.each([
    ['node-hello', 'buildpacks', 'Hello from node-hello\n'],
    ['dockerfile-app', 'dockerfile', 'Hello from dockerfile-app, built from its own Dockerfile\n'],
  ])('builds %s (%s) into an image that serves on PORT', async (name, strategy, body) => {
    const { req } = await request(name, join(examples, name), 'image');
    const result = await buildApp(req);
    expect(result.strategy).toBe(strategy);
    expect(result.artifact).toMatchObject({ kind: 'image', image: `devflow/${name}:${SHA.slice(0, 12)}` });
    if (result.artifact.kind !== 'image') throw new Error('not an image');
    images.push(result.artifact.image);
    const running = await runImage(result.artifact.image);
    try {
      expect(await fetchBody(running.url)).toBe(body);
    } finally {
      await running.stop();
    }
  });

  it('gives Dockerfile builds the host CA bundle as the BuildKit secret "ca" and the npm registry', async () => {
    const src = await copyExample('node-deps');
    await writeFile(
      join(src, 'Dockerfile'),
      [
        'FROM devflow/stack-run:bookworm',
        'ARG NPM_CONFIG_REGISTRY',
        'WORKDIR /app',
        'COPY package.json package-lock.json ./',
        // A fresh value every run, so the npm ci step below really runs (no BuildKit cache hit).
        `ENV CACHE_BUST=${Date.now()}`,
        'RUN --mount=type=secret,id=ca,target=/tmp/ca.crt test -s /tmp/ca.crt && test -n "$NPM_CONFIG_REGISTRY" && \\',
        '    NODE_EXTRA_CA_CERTS=/tmp/ca.crt npm_config_cafile=/tmp/ca.crt npm ci',
        'COPY server.js ./',
        'CMD ["node", "server.js"]',
        '',
      ].join('\n'),
    );
    const { req, lines } = await request('node-deps', src, 'image', { sha: 'e'.repeat(40) });
    const result = await buildApp(req);
    if (result.artifact.kind !== 'image') throw new Error('not an image');
    images.push(result.artifact.image);
    expect(lines.join('\n')).toMatch(/added 1 package/);
    const running = await runImage(result.artifact.image);
    try {
      expect(await fetchBody(running.url)).toContain('node-deps says');
    } finally {
      await running.stop();
    }
  });

  it('labels buildpack images with their processes and buildpacks', async () => {
    const { req } = await request('static-site', join(examples, 'static-site'), 'image');
    const result = await buildApp(req);
    if (result.artifact.kind !== 'image') throw new Error('not an image');
    images.push(result.artifact.image);
    const labels = (await docker.getImage(result.artifact.image).inspect()).Config.Labels ?? {};
    expect(JSON.parse(labels['devflow.processes'] ?? '{}')).toEqual({ web: 'devflow-static-server .' });
    expect(JSON.parse(labels['devflow.buildpacks'] ?? '[]')).toEqual(['devflow/static']);
    expect(JSON.parse(labels['io.buildpacks.build.metadata'] ?? '{}')).toMatchObject({
      processes: [{ type: 'web', command: ['devflow-static-server', '.'], direct: true, buildpackID: 'devflow/static' }],
      buildpacks: [{ id: 'devflow/static', version: '0.1.0' }],
    });
  });

  it('reuses the node_modules layer (same image layer digest) when only the source changed; a new lockfile rebuilds it', async () => {
    const src = await copyExample('node-deps');
    const cacheDir = await tempDir('devflow-cache-');
    const layerLine = (lines: string[]) => lines.find((l) => l.startsWith('-----> Layer devflow_nodejs/node_modules: '));
    const digestOf = (lines: string[]) => layerLine(lines)?.split(': ')[1]?.split(' ')[0];
    const first = await request('node-deps', src, 'image', { cacheDir, sha: 'a'.repeat(40) });
    const firstResult = await buildApp(first.req);
    expect(first.lines.join('\n')).toContain('Installing dependencies');
    if (firstResult.artifact.kind === 'image') images.push(firstResult.artifact.image);

    const server = await readFile(join(src, 'server.js'), 'utf8');
    await writeFile(join(src, 'server.js'), server.replace('node-deps says', 'node-deps v2 says'));
    const second = await request('node-deps', src, 'image', { cacheDir, sha: 'b'.repeat(40) });
    const result = await buildApp(second.req);
    if (result.artifact.kind !== 'image') throw new Error('not an image');
    images.push(result.artifact.image);
    expect(second.lines.join('\n')).toContain('Restored cached layer devflow_nodejs/node_modules');
    expect(second.lines.join('\n')).toContain('reusing node_modules layer');
    expect(second.lines.join('\n')).not.toContain('Installing dependencies');
    expect(digestOf(second.lines)).toMatch(/^sha256:/);
    expect(digestOf(second.lines)).toBe(digestOf(first.lines));
    // Its tar was not even written again: the tree is as the first build left it.
    expect(layerLine(second.lines)).toMatch(/ \(unchanged\)$/);

    const running = await runImage(result.artifact.image);
    try {
      expect(await fetchBody(running.url)).toBe('node-deps v2 says: one day is 86400000 ms, 90000 ms is 2 minutes\n');
    } finally {
      await running.stop();
    }

    const lock = JSON.parse(await readFile(join(src, 'package-lock.json'), 'utf8')) as { version?: string };
    lock.version = '1.0.1';
    await writeFile(join(src, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const third = await request('node-deps', src, 'image', { cacheDir, sha: 'c'.repeat(40) });
    const thirdResult = await buildApp(third.req);
    if (thirdResult.artifact.kind === 'image') images.push(thirdResult.artifact.image);
    expect(third.lines.join('\n')).toContain('Installing dependencies');
    expect(digestOf(third.lines)).not.toBe(digestOf(first.lines));
    expect(layerLine(third.lines)).not.toContain('(unchanged)');
  });

  it('fails with the tail when npm ci cannot install a dependency, tagging nothing', async () => {
    const src = await copyExample('node-deps');
    const bad = '@devflow-test/no-such-package-3f9a';
    const lock = (await readFile(join(src, 'package-lock.json'), 'utf8')).replaceAll('"ms"', `"${bad}"`).replaceAll('node_modules/ms', `node_modules/${bad}`);
    const pkg = (await readFile(join(src, 'package.json'), 'utf8')).replace('"ms"', `"${bad}"`);
    await writeFile(join(src, 'package-lock.json'), lock);
    await writeFile(join(src, 'package.json'), pkg);
    const { req } = await request('node-deps', src, 'image', { sha: 'd'.repeat(40) });
    const err = await buildApp(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).phase).toBe('build');
    expect((err as BuildError).tail.join('\n')).toMatch(/npm error 404/);
    expect((err as BuildError).tail.length).toBeLessThanOrEqual(20);
    await expect(docker.getImage(`devflow/node-deps:${'d'.repeat(12)}`).inspect()).rejects.toThrow();
    // Successful builds of other apps keep their warm build containers; this build's is removed.
    const builds = await docker.listContainers({ all: true, filters: { label: ['devflow.role=build'] } });
    expect(builds.filter((c) => c.Mounts.some((m) => m.Source.startsWith(`${req.cacheDir}/`)))).toEqual([]);
  });

  it('runs a warm build in the container the previous build of the app handed back', async () => {
    const src = await copyExample('node-hello');
    const cacheDir = await tempDir('devflow-cache-');
    const first = await request('node-hello', src, 'image', { cacheDir, sha: 'e'.repeat(40) });
    images.push(((await buildApp(first.req)).artifact as { image: string }).image);
    expect(first.lines).toContain('-----> Building inside devflow/stack-build:bookworm');
    const second = await request('node-hello', src, 'image', { cacheDir, sha: 'f'.repeat(40) });
    const result = await buildApp(second.req);
    if (result.artifact.kind !== 'image') throw new Error('not an image');
    images.push(result.artifact.image);
    expect(second.lines).toContain('-----> Building inside devflow/stack-build:bookworm (warm container)');
    const running = await runImage(result.artifact.image);
    try {
      expect(await fetchBody(running.url)).toBe('Hello from node-hello\n');
    } finally {
      await running.stop();
    }
  });
});
