/**
 * DevFlow's own buildpacks (buildpacks/: nodejs, python, go) on both targets, through buildApp:
 * warm builds (the python venv layer reused or rebuilt, a changed start script followed) and
 * the node_modules tree of a slug. A cold build of each example, its buildpack, build log and
 * served body, is asserted by tests/e2e/buildpacks.test.ts, which pushes every example on both
 * targets (process: slug, docker: image); building them cold here too doubled the suite's
 * slowest builds (Go, engines.node's download, yarn, pnpm).
 */
import { cp, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../core/names.js';
import { buildApp, type BuildRequest } from './build.js';
import { defaultBuildpacksDir } from './cnb/buildpacks.js';
import { buildStack } from './stack.js';
import { collectLog, fetchBody, removeImages, runImage, startSlug } from './test-support.js';

const docker = new Docker();
const examples = join(defaultBuildpacksDir(), '..', 'examples');
const scratch: string[] = [];
const images: string[] = [];
let n = 0;

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

async function build(app: string, sourceDir: string, target: BuildRequest['target'], cacheDir?: string) {
  const { lines, log } = collectLog();
  const req: BuildRequest = {
    app: parseAppName(app), sha: (++n).toString(16).padStart(40, 'b'), sourceDir, target, log, docker, env: {},
    workDir: await tempDir('devflow-work-'), cacheDir: cacheDir ?? (await tempDir('devflow-cache-')),
  };
  const result = await buildApp(req);
  if (result.artifact.kind === 'image') images.push(result.artifact.image);
  return { result, log: lines.join('\n') };
}

type Built = Awaited<ReturnType<typeof build>> & { cacheDir: string };
const coldBuilds = new Map<string, Promise<Built>>();

/**
 * An example built unchanged with an empty cache, once per target for the whole file: the tests
 * that only read such a build, or start from it, share it instead of building it again (the
 * python reuse test starts from python-hello's; the node_modules checks read node-dist-main's).
 */
function coldBuild(example: string, target: BuildRequest['target']): Promise<Built> {
  const key = `${example}:${target}`;
  let built = coldBuilds.get(key);
  if (!built) {
    built = (async () => {
      const cacheDir = await tempDir('devflow-cache-');
      return { ...(await build(example, join(examples, example), target, cacheDir)), cacheDir };
    })();
    coldBuilds.set(key, built);
  }
  return built;
}

async function bodyOf(artifact: Awaited<ReturnType<typeof build>>['result']['artifact']): Promise<string> {
  const running = artifact.kind === 'image' ? await runImage(artifact.image) : await startSlug(artifact);
  try {
    return await fetchBody(running.url);
  } finally {
    await running.stop();
  }
}

beforeAll(async () => {
  await buildStack({ docker, log: { line: () => undefined } });
});

afterAll(async () => {
  await removeImages(images);
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe.each(['slug', 'image'] as const)('DevFlow buildpacks, %s target', (target) => {
  // The python test's cold first build, made before it starts, so the test's own time is its
  // two warm builds, as when a separate test made the cold one.
  beforeAll(async () => {
    await coldBuild('python-hello', target);
  });

  it('python: an unchanged requirements.txt reuses the venv layer; a changed one rebuilds it', async () => {
    const src = await tempDir('devflow-src-py-');
    await cp(join(examples, 'python-hello'), src, { recursive: true });
    // The first build is cold (coldBuild); its cache goes on from there.
    const cache = (await coldBuild('python-hello', target)).cacheDir;
    await writeFile(join(src, 'app.py'), (await readFile(join(src, 'app.py'), 'utf8')).replace('Hello from', 'Hi from'));
    const second = await build('python-hello', src, target, cache);
    expect(second.log).toContain('reusing venv layer (requirements unchanged)');
    expect(second.log).not.toContain('Creating the virtualenv');
    expect(await bodyOf(second.result.artifact)).toContain('Hi from python-hello');
    await writeFile(join(src, 'requirements.txt'), '# changed\n');
    const third = await build('python-hello', src, target, cache);
    expect(third.log).toContain('Creating the virtualenv');
  });

  it('nodejs: a warm build follows a changed package.json start script', async () => {
    const src = await tempDir('devflow-src-node-');
    await cp(join(examples, 'node-hello'), src, { recursive: true });
    const cache = await tempDir('devflow-cache-');
    const first = await build('node-hello', src, target, cache);
    expect(first.log).toContain('-----> web: ["devflow-npm-start"]');
    await writeFile(join(src, 'other.js'), (await readFile(join(src, 'server.js'), 'utf8')).replace('Hello from node-hello', 'Other entry'));
    const pkg = JSON.parse(await readFile(join(src, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    await writeFile(join(src, 'package.json'), JSON.stringify({ ...pkg, main: 'other.js', scripts: {} }, null, 2));
    const second = await build('node-hello', src, target, cache);
    expect(second.log).toContain('-----> web: ["node", "other.js"]');
    expect(await bodyOf(second.result.artifact)).toContain('Other entry');
  });
});

// The rule the node_modules layer broke: Node resolves a package's requires from the package's
// real path, and skips X/node_modules when X is itself named node_modules. So the tree's real
// path must be among the directories Node searches from inside each package in it.
describe('nodejs: the node_modules tree in a slug is searched from inside its own packages', () => {
  it.each([
    ['node-deps', 'ms'],
    ['node-dist-main', '@supabase/functions-js'],
    ['node-dist-main', 'tslib'],
  ])('%s: %s', async (example, pkg) => {
    const { result } = await coldBuild(example, 'slug');
    if (result.artifact.kind !== 'slug') throw new Error('not a slug');
    const tree = await realpath(join(result.artifact.dir, 'node_modules'));
    // Where a bare require from the package's own package.json looks (Node's public API for it).
    const searched = createRequire(join(tree, pkg, 'package.json')).resolve.paths('some-dependency');
    expect(searched).toContain(tree);
  });
});
