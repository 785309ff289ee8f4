import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { treeFingerprint } from './layer-fingerprint.js';
import { layerTarArgs, layerTarFile, NORMALIZED_MTIME, reuseOrWriteLayerTar, writeLayerTar } from './layer-tar.js';

/** An old time (s): files with it are judged by their times. */
const OLD = 1_700_000_000;

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

describe('reuseOrWriteLayerTar', () => {
  it('reuses the tar and its diff id while the tree is unchanged, writes a new one when it changes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'devflow-layer-reuse-'));
    scratch.push(root);
    await mkdir(join(root, 'deps', 'lib'), { recursive: true });
    await writeFile(join(root, 'deps', 'lib', 'a.js'), 'one');
    const layer = { name: 'bp/deps', hostDir: join(root, 'deps'), imagePath: '/layers/bp/deps', owner: 0 };
    const file = layerTarFile(join(root, 'tars'), layer);
    await mkdir(join(root, 'tars'));
    const first = await reuseOrWriteLayerTar(layer, file);
    const inode = (await stat(file)).ino;
    const again = await reuseOrWriteLayerTar(layer, file);
    expect(first.reused).toBe(false);
    expect(again).toEqual({ ...first, reused: true });
    expect((await stat(file)).ino).toBe(inode);
    // The same tree put in the image at another path is another tar.
    const elsewhere = await reuseOrWriteLayerTar({ ...layer, imagePath: '/layers/bp/other' }, file);
    expect(elsewhere.reused).toBe(false);
    expect(elsewhere.diffId).not.toBe(first.diffId);
    await reuseOrWriteLayerTar(layer, file);
    await writeFile(join(root, 'deps', 'lib', 'a.js'), 'two');
    const changed = await reuseOrWriteLayerTar(layer, file);
    expect(changed.reused).toBe(false);
    expect(changed.diffId).not.toBe(first.diffId);
    expect(changed.diffId).toBe((await writeLayerTar(layer, join(root, 'fresh.tar'))).diffId);
  });

  it('recognises files that were too recent to judge by time when the tar was written, then judges them by time', async () => {
    const root = await mkdtemp(join(tmpdir(), 'devflow-layer-racy-'));
    scratch.push(root);
    await mkdir(join(root, 'deps'));
    await writeFile(join(root, 'deps', 'a.js'), 'one');
    await utimes(join(root, 'deps', 'a.js'), OLD, OLD);
    const layer = { name: 'bp/deps', hostDir: join(root, 'deps'), imagePath: '/layers/bp/deps', owner: 0 };
    const file = layerTarFile(root, layer);
    const first = await reuseOrWriteLayerTar(layer, file);
    // As if the tar had been written one second after the file (a cold build's install, then export).
    const takenAt = OLD * 1000 + 1000;
    const record = { ...JSON.parse(await readFile(`${file}.json`, 'utf8')), takenAt, fingerprint: await treeFingerprint(layer.hostDir, { now: takenAt }) };
    await writeFile(`${file}.json`, JSON.stringify(record));
    expect(await reuseOrWriteLayerTar(layer, file)).toEqual({ ...first, reused: true });
    const refreshed = JSON.parse(await readFile(`${file}.json`, 'utf8'));
    expect(refreshed.takenAt).toBeGreaterThan(takenAt);
    expect(refreshed.fingerprint).toBe(await treeFingerprint(layer.hostDir, { now: refreshed.takenAt }));
    expect(refreshed.fingerprint).not.toBe(record.fingerprint);
    expect(await reuseOrWriteLayerTar(layer, file)).toEqual({ ...first, reused: true });
  });
});
