import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildError } from '../../core/errors.js';
import { defaultBuildpacksDir, loadBuildpacks, loadOrder, type Order } from './buildpacks.js';
import { chooseGroup, detect, type DetectOutcome } from './detect.js';
import { openHostExecutor } from './executor.js';

const order: Order = [
  [{ id: 'a', optional: false }, { id: 'p', optional: true }],
  [{ id: 's', optional: false }, { id: 'p', optional: true }],
  [{ id: 'p', optional: false }],
];

describe('chooseGroup', () => {
  it.each<[Record<string, DetectOutcome>, string[] | null]>([
    [{ a: 'pass', s: 'fail', p: 'fail' }, ['a']],
    [{ a: 'pass', s: 'pass', p: 'pass' }, ['a', 'p']],
    [{ a: 'fail', s: 'pass', p: 'fail' }, ['s']],
    [{ a: 'fail', s: 'fail', p: 'pass' }, ['p']],
    [{ a: 'fail', s: 'fail', p: 'fail' }, null],
    [{}, null],
  ])('with %j picks %j', (outcomes, expected) => {
    expect(chooseGroup(order, new Map(Object.entries(outcomes)))).toEqual(expected);
  });

  it('passes a group of optional buildpacks only when one of them passes', () => {
    const optionalOnly: Order = [[{ id: 'p', optional: true }]];
    expect(chooseGroup(optionalOnly, new Map([['p', 'pass' as const]]))).toEqual(['p']);
    expect(chooseGroup(optionalOnly, new Map([['p', 'fail' as const]]))).toBeNull();
  });
});

/** Runs real detection of the repository's buildpacks on the host against `appDir`. */
async function detectApp(appDir: string) {
  const scratch = await mkdtemp(join(tmpdir(), 'devflow-detect-'));
  try {
    const buildpacksDir = defaultBuildpacksDir();
    const ws = { appDir, layersDir: join(scratch, 'layers'), buildpacksDir, platformDir: join(scratch, 'platform'), scratchDir: scratch, caFile: null };
    const exec = await openHostExecutor(ws);
    const [buildpacks, loadedOrder] = await Promise.all([loadBuildpacks(buildpacksDir), loadOrder(buildpacksDir)]);
    const result = await detect({ order: loadedOrder, buildpacks, ws, exec, log: { line: () => undefined } });
    return result.group.map((bp) => bp.id);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const examples = join(defaultBuildpacksDir(), '..', 'examples');

describe('detect with the default buildpacks', () => {
  it('picks devflow/nodejs for an app with package.json', async () => {
    expect(await detectApp(join(examples, 'node-hello'))).toEqual(['devflow/nodejs']);
  });

  it('picks devflow/static for a site with index.html', async () => {
    expect(await detectApp(join(examples, 'static-site'))).toEqual(['devflow/static']);
  });

  it('adds the Procfile buildpack when a Node.js app has a Procfile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'devflow-app-'));
    try {
      await writeFile(join(dir, 'package.json'), '{"name":"x"}');
      await writeFile(join(dir, 'Procfile'), 'web: node x.js\n');
      expect(await detectApp(dir)).toEqual(['devflow/nodejs', 'devflow/procfile']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails clearly, listing every buildpack tried, when nothing matches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'devflow-app-'));
    try {
      await writeFile(join(dir, 'README.md'), 'nothing to build');
      const err = await detectApp(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildError);
      expect((err as BuildError).phase).toBe('detect');
      expect((err as BuildError).message).toMatch(/no buildpack detected this app \(tried devflow\/nodejs, devflow\/procfile, devflow\/static\)/);
      expect((err as BuildError).message).toMatch(/package\.json.*Dockerfile/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
