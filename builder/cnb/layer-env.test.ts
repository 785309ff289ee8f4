import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEnvModifications, envModifications, parseEnvFileName, type EnvModification } from './layer-env.js';

const mod = (name: string, op: EnvModification['op'], value: string, delim = ''): EnvModification => ({ name, op, value, delim });

describe('applyEnvModifications', () => {
  it.each([
    [{ PATH: '/bin' }, [mod('PATH', 'prepend', '/l/bin', ':')], { PATH: '/l/bin:/bin' }],
    [{}, [mod('PATH', 'prepend', '/l/bin', ':')], { PATH: '/l/bin' }],
    [{ X: 'a' }, [mod('X', 'append', 'b', ',')], { X: 'a,b' }],
    [{ X: 'a' }, [mod('X', 'append', 'b')], { X: 'ab' }],
    [{ X: 'a' }, [mod('X', 'default', 'b')], { X: 'a' }],
    [{ X: '' }, [mod('X', 'default', 'b')], { X: 'b' }],
    [{}, [mod('X', 'default', 'b'), mod('X', 'default', 'c')], { X: 'b' }],
    [{ X: 'a' }, [mod('X', 'override', 'b')], { X: 'b' }],
    [{ PATH: '/bin' }, [mod('PATH', 'prepend', '/1', ':'), mod('PATH', 'prepend', '/2', ':')], { PATH: '/2:/1:/bin' }],
  ])('applies to %j', (base, mods, expected) => {
    expect(applyEnvModifications(base, mods)).toEqual(expected);
  });
});

describe('parseEnvFileName', () => {
  it.each([
    ['JAVA_OPTS', { name: 'JAVA_OPTS', op: 'override' }],
    ['PATH.prepend', { name: 'PATH', op: 'prepend' }],
    ['PATH.delim', { name: 'PATH', op: 'delim' }],
    ['X.default', { name: 'X', op: 'default' }],
    ['X.unknown', null],
    ['1X', null],
  ])('%s', (file, expected) => expect(parseEnvFileName(file)).toEqual(expected));
});

describe('envModifications', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('orders layer paths by buildpack then layer name, and env/ before env.launch/ before env.launch/<type>/', async () => {
    const root = await mkdtemp(join(tmpdir(), 'devflow-env-'));
    dirs.push(root);
    const layer = async (bp: string, name: string, files: Record<string, string>) => {
      const dir = join(root, bp, name);
      await mkdir(dir, { recursive: true });
      for (const [f, text] of Object.entries(files)) {
        await mkdir(join(dir, f, '..'), { recursive: true });
        if (!f.endsWith('/')) await writeFile(join(dir, f), text);
      }
      return { bp, hostDir: dir, viewDir: `/layers/${bp}/${name}` };
    };
    const layers = [
      await layer('a', 'x', { 'bin/tool': '', 'lib/libx.so': '', 'env/V': 'env', 'env.launch/V': 'launch', 'env.launch/web/V': 'web' }),
      await layer('a', 'y', { 'bin/tool': '' }),
      await layer('b', 'z', { 'bin/tool': '', 'include/z.h': '', 'env.build/B.append': 'b', 'env.build/B.delim': ' ' }),
    ];
    const launchWeb = applyEnvModifications({ PATH: '/usr/bin' }, await envModifications(layers, 'launch', 'web'));
    expect(launchWeb).toEqual({ PATH: '/layers/b/z/bin:/layers/a/x/bin:/layers/a/y/bin:/usr/bin', LD_LIBRARY_PATH: '/layers/a/x/lib', V: 'web' });
    const launch = applyEnvModifications({}, await envModifications(layers, 'launch'));
    expect(launch.V).toBe('launch');
    const build = applyEnvModifications({ B: 'a' }, await envModifications(layers, 'build'));
    expect(build).toMatchObject({ B: 'a b', V: 'env', CPATH: '/layers/b/z/include', LIBRARY_PATH: '/layers/a/x/lib' });
  });
});
