import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { buildStack, RUN_IMAGE } from '../stack.js';
import { exportArchive, imageConfig, inspectBaseImage, layersHeld, loadManifest, type BaseImage } from './image-archive.js';
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
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

describe('layersHeld', () => {
  const base = ['b0', 'b1'];
  it.each([
    ['no previous image', ['deps', 'app2'], [], 0],
    ['the previous image shares the dependency layer', ['deps', 'launcher', 'app2'], ['b0', 'b1', 'deps', 'launcher', 'app1'], 2],
    ['the same image again', ['deps', 'app1'], ['b0', 'b1', 'deps', 'app1'], 2],
    ['a changed dependency layer: nothing above it is held either', ['deps2', 'launcher', 'app'], ['b0', 'b1', 'deps', 'launcher', 'app'], 0],
    ['another run image below', ['deps', 'app'], ['c0', 'b1', 'deps', 'app'], 0],
  ])('%s -> %i', (_, ours, held, expected) => {
    expect(layersHeld(base, ours, held)).toBe(expected);
  });
});

describe('exportArchive against the engine', () => {
  const docker = new Docker();
  const tags: string[] = [];
  afterAll(async () => {
    for (const tag of tags) await docker.getImage(tag).remove().catch(() => undefined);
  });

  it('sends only the layers the previous image lacks, and the engine has the whole image', async () => {
    await buildStack({ docker, log: { line: () => undefined } });
    const root = await mkdtemp(join(tmpdir(), 'devflow-archive-'));
    scratch.push(root);
    await mkdir(join(root, 'deps'));
    await writeFile(join(root, 'deps', 'dep.js'), 'module.exports = 1;');
    const base = await inspectBaseImage(docker, RUN_IMAGE);
    const tarsDir = join(root, 'layer-tars');
    const settings = { user: 'app', workingDir: '/workspace', entrypoint: ['/bin/sh'], cmd: [], labels: {}, created: '2026-01-01T00:00:00.000Z' };
    const exportOnce = async (n: number, previous?: string) => {
      await mkdir(join(root, `app${n}`));
      await writeFile(join(root, `app${n}`, 'server.js'), `// ${n} ${Math.random()}`);
      const tag = `devflow/archive-test:${process.pid}-${n}`;
      tags.push(tag);
      const archiveDir = join(root, `work${n}`, 'image');
      const layers = [
        { name: 'deps', hostDir: join(root, 'deps'), imagePath: '/layers/bp/deps', owner: 0 },
        { name: 'app', hostDir: join(root, `app${n}`), imagePath: '/workspace', owner: 1000 },
      ];
      const result = await exportArchive({ docker, archiveDir, tarsDir, base, layers, settings, tag, previous });
      return { ...result, tag, sent: await readdir(join(archiveDir, 'layers')) };
    };
    const first = await exportOnce(1);
    expect(first.sent).toEqual(['0.tar', '1.tar']);
    const second = await exportOnce(2, first.imageId);
    expect(second.sent).toEqual(['1.tar']);
    const info = await docker.getImage(second.tag).inspect();
    expect(info.Id).toBe(second.imageId);
    expect(info.RootFS.Layers).toEqual([...base.diffIds, ...second.built.map((l) => l.diffId)]);
    expect(second.built[0]!.diffId).toBe(first.built[0]!.diffId);
    // The unchanged dependency layer's tar was reused, not written again; the app's was written.
    expect(second.built.map((l) => l.reused)).toEqual([true, false]);
    expect((await readdir(tarsDir)).sort()).toEqual(['app.tar', 'app.tar.json', 'deps.tar', 'deps.tar.json']);
    // A previous image the engine no longer has: everything is sent.
    await docker.getImage(first.tag).remove();
    await docker.getImage(second.tag).remove();
    const third = await exportOnce(3, first.imageId);
    expect(third.sent).toEqual(['0.tar', '1.tar']);
  });
});
