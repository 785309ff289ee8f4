import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diskObjectBytes, STALE_STAGING_MS } from './disk.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'devflow-disk-'));
});
afterEach(async () => rm(root, { recursive: true, force: true }));

describe('diskObjectBytes', () => {
  it('stages within the limit and refuses past it, leaving no staging file', async () => {
    const bytes = diskObjectBytes(root);
    const staged = await bytes.stage('p1', Readable.from([Buffer.from('hello')]), 5);
    expect([staged.size, staged.md5]).toEqual([5, '5d41402abc4b2a76b9719d911017c592']);
    await expect(bytes.stage('p1', Readable.from([Buffer.from('hello!')]), 5)).rejects.toMatchObject({ code: 'EntityTooLarge' });
    expect(await readdir(join(root, 'p1', 'staging'))).toEqual([staged.path.split('/').pop()]);
  });

  it('sweeps staging files a crash left behind, once, on the first upload of a project', async () => {
    // Another process's first upload made the folder; its own sweep is done.
    await diskObjectBytes(root).stage('p2', Readable.from([Buffer.from('x')]), 10).then((s) => rm(s.path));
    const staging = join(root, 'p2', 'staging');
    const old = join(staging, 'left-by-a-crash');
    const fresh = join(staging, 'in-flight');
    await writeFile(old, 'partial');
    await writeFile(fresh, 'partial');
    const past = new Date(Date.now() - STALE_STAGING_MS - 60_000);
    await utimes(old, past, past);
    const store = diskObjectBytes(root);
    const staged = await store.stage('p2', Readable.from([Buffer.from('y')]), 10);
    expect((await readdir(staging)).sort()).toEqual(['in-flight', staged.path.split('/').pop()].sort());
  });

  it('refuses a project or version name that could leave its folder', async () => {
    const store = diskObjectBytes(root);
    await expect(store.stage('../x', Readable.from([]), 1)).rejects.toThrow(/unexpected project name/);
    await expect(store.open('p1', '../../etc/passwd')).rejects.toThrow(/unexpected version/);
  });
});
