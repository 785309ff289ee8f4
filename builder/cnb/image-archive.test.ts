import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { imageConfig, layerTarArgs, loadManifest, NORMALIZED_MTIME, writeLayerTar, type BaseImage } from './image-archive.js';

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('layerTarArgs', () => {
  it.each([
    ['/layers/devflow_nodejs/node_modules', '--transform=s,^\\.,layers/devflow_nodejs/node_modules,S'],
    ['/workspace', '--transform=s,^\\.,workspace,S'],
    ['/layers/a_b/odd,name&x', '--transform=s,^\\.,layers/a_b/odd\\,name\\&x,S'],
  ])('puts the files of %s under that path, sorted, with fixed owners and times', (imagePath, transform) => {
    const args = layerTarArgs({ name: 'x', hostDir: '/h/x', imagePath, owner: 1000 }, '/out/0.tar');
    expect(args).toContain(transform);
    expect(args).toEqual(expect.arrayContaining(['--sort=name', `--mtime=@${NORMALIZED_MTIME}`, '--owner=1000', '--group=1000', '--numeric-owner']));
    expect(args.slice(-3)).toEqual(['--directory', '/h/x', '.']);
  });
});

describe('writeLayerTar', () => {
  it('gives the same diff id for the same content written at different times, another for other content', async () => {
    const root = await mkdtemp(join(tmpdir(), 'devflow-layer-tar-'));
    scratch.push(root);
    const make = async (name: string, text: string) => {
      const dir = join(root, name);
      await mkdir(join(dir, 'lib'), { recursive: true });
      await writeFile(join(dir, 'lib', 'a.js'), text);
      await symlink('lib/a.js', join(dir, 'main.js'));
      return writeLayerTar({ name, hostDir: dir, imagePath: '/layers/bp/deps', owner: 0 }, join(root, `${name}.tar`));
    };
    const first = await make('one', 'same');
    await new Promise((r) => setTimeout(r, 20));
    const second = await make('two', 'same');
    const third = await make('three', 'other');
    expect(first.diffId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second.diffId).toBe(first.diffId);
    expect(third.diffId).not.toBe(first.diffId);
    const { stdout } = await promisify(execFile)('tar', ['-tvf', first.file]);
    expect(stdout).toContain('layers/bp/deps/main.js -> lib/a.js');
    expect(stdout).toContain('0/0');
    expect(stdout).toContain('1980-01-01');
  });
});

const base: BaseImage = {
  architecture: 'amd64',
  os: 'linux',
  diffIds: ['sha256:base0', 'sha256:base1'],
  config: { Env: ['PATH=/usr/bin', 'LANG=C.UTF-8'], Labels: { 'devflow.stack': 'bookworm', shared: 'run' } },
};

describe('imageConfig', () => {
  it('stacks the layers on the run image, keeps its env and labels, and sets the launcher', () => {
    const config = imageConfig(base, [{ name: 'app', file: 'x', diffId: 'sha256:app' }], {
      user: 'app',
      workingDir: '/workspace',
      entrypoint: ['/cnb/launcher'],
      cmd: ['web'],
      labels: { shared: 'ours', 'devflow.app': 'demo' },
      created: '2026-01-01T00:00:00.000Z',
    });
    expect(config).toEqual({
      architecture: 'amd64',
      os: 'linux',
      created: '2026-01-01T00:00:00.000Z',
      config: {
        Env: ['PATH=/usr/bin', 'LANG=C.UTF-8'],
        User: 'app',
        WorkingDir: '/workspace',
        Entrypoint: ['/cnb/launcher'],
        Cmd: ['web'],
        Labels: { 'devflow.stack': 'bookworm', shared: 'ours', 'devflow.app': 'demo' },
      },
      rootfs: { type: 'layers', diff_ids: ['sha256:base0', 'sha256:base1', 'sha256:app'] },
    });
  });
});

describe('loadManifest', () => {
  it('names every layer in order, the base ones by placeholders', () => {
    expect(loadManifest('devflow/demo:abc', 2, ['layers/0.tar'])).toEqual([
      { Config: 'config.json', RepoTags: ['devflow/demo:abc'], Layers: ['base/0/layer.tar', 'base/1/layer.tar', 'layers/0.tar'] },
    ]);
  });
});
