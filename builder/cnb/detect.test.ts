import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildError } from '../../core/errors.js';
import { defaultBuildpacksDir, loadBuildpacks, loadOrder, type Order } from './buildpacks.js';
import { detect, judgeGroup, type DetectOutcome } from './detect.js';
import { openHostExecutor } from './executor.js';
import type { ResolvedGroup } from './order.js';

const pass: DetectOutcome = { result: 'pass', options: [{ provides: [], requires: [] }] };
const fail: DetectOutcome = { result: 'fail' };
const group: ResolvedGroup = [{ id: 'a', optional: false }, { id: 'p', optional: true }];

describe('judgeGroup', () => {
  it.each<[Record<string, DetectOutcome>, string[] | string]>([
    [{ a: pass, p: fail }, ['a']],
    [{ a: pass, p: pass }, ['a', 'p']],
    [{ a: fail, p: pass }, 'a did not pass detection'],
    [{}, 'a did not pass detection'],
  ])('with %j gives %j', (outcomes, expected) => {
    const verdict = judgeGroup(group, new Map(Object.entries(outcomes)));
    expect(verdict.ok ? verdict.group : verdict.reason).toEqual(expected);
  });

  it('passes a group of optional buildpacks only when one of them passes', () => {
    const optionalOnly: ResolvedGroup = [{ id: 'p', optional: true }];
    expect(judgeGroup(optionalOnly, new Map([['p', pass]])).ok).toBe(true);
    expect(judgeGroup(optionalOnly, new Map([['p', fail]]))).toEqual({ ok: false, reason: 'no buildpack in the group passed detection' });
  });
});

/** Runs real detection on the host against `appDir`. */
async function detectApp(appDir: string, buildpacksDir = defaultBuildpacksDir(), order?: Order) {
  const scratch = await mkdtemp(join(tmpdir(), 'devflow-detect-'));
  try {
    const ws = { appDir, layersDir: join(scratch, 'layers'), buildpacksDir, platformDir: join(scratch, 'platform'), scratchDir: scratch, caFile: null };
    const exec = await openHostExecutor(ws);
    const [buildpacks, loadedOrder] = await Promise.all([loadBuildpacks(buildpacksDir), loadOrder(buildpacksDir)]);
    const result = await detect({ order: order ?? loadedOrder, buildpacks, ws, exec, log: { line: () => undefined } });
    return result.group.map((bp) => bp.id);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function withApp<T>(files: Record<string, string>, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'devflow-app-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const examples = join(defaultBuildpacksDir(), '..', 'examples');
const fixtures = join(defaultBuildpacksDir(), '..', 'tests', 'fixtures', 'buildpacks');

describe('detect with the default buildpacks', () => {
  it.each([
    [{ 'package.json': '{"name":"x"}' }, ['devflow/nodejs']],
    [{ 'index.html': '<p>hi</p>' }, ['devflow/static']],
    [{ 'package.json': '{"name":"x"}', Procfile: 'web: node x.js\n' }, ['devflow/nodejs', 'devflow/procfile']],
    [{ 'requirements.txt': '' }, ['devflow/python']],
    [{ 'pyproject.toml': '[project]\nname = "x"\n' }, ['devflow/python']],
    [{ 'go.mod': 'module example.com/x\n\ngo 1.19\n' }, ['devflow/go']],
    [{ Procfile: 'web: ./serve\n' }, ['devflow/procfile']],
  ])('%j → %j', async (files, expected) => {
    expect(await withApp(files, (dir) => detectApp(dir))).toEqual(expected);
  });

  it('picks devflow/nodejs for the node-hello example', async () => {
    expect(await detectApp(join(examples, 'node-hello'))).toEqual(['devflow/nodejs']);
  });

  it('fails clearly, listing every buildpack tried and why each group failed', async () => {
    const err = await withApp({ 'README.md': 'nothing to build' }, (dir) => detectApp(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).phase).toBe('detect');
    const message = (err as BuildError).message;
    expect(message).toMatch(/no buildpack group passed detection \(tried devflow\/nodejs, devflow\/procfile, .*devflow\/static/);
    expect(message).toContain('group 1 [devflow/nodejs, devflow/procfile (optional)]: devflow/nodejs did not pass detection');
    expect(message).toMatch(/package\.json.*Dockerfile/);
  });
});

describe('detect with third-party fixture buildpacks', () => {
  it('expands the meta-buildpack and links hello-world and processes through the build plan', async () => {
    expect(await withApp({ 'README.md': 'x' }, (dir) => detectApp(dir, fixtures))).toEqual(['samples/hello-world', 'samples/processes']);
  });

  it('names the buildpack whose detect errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'devflow-bps-'));
    try {
      await writeFile(join(dir, 'order.toml'), '[[order]]\n[[order.group]]\nid = "x/broken"\nversion = "1.0.0"\n');
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(dir, 'broken', 'bin'), { recursive: true });
      await writeFile(join(dir, 'broken', 'buildpack.toml'), 'api = "0.10"\n[buildpack]\nid = "x/broken"\nversion = "1.0.0"\n');
      await writeFile(join(dir, 'broken', 'bin', 'detect'), '#!/bin/sh\necho "detect blew up"\nexit 3\n', { mode: 0o755 });
      await writeFile(join(dir, 'broken', 'bin', 'build'), '#!/bin/sh\n', { mode: 0o755 });
      const err = await withApp({ a: '' }, (app) => detectApp(app, dir)).catch((e: unknown) => e);
      expect((err as BuildError).message).toBe('detect: buildpack x/broken@1.0.0: bin/detect exited 3');
      expect((err as BuildError).tail).toContain('detect blew up');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
