import { execFile } from 'node:child_process';
import { chmod, link, mkdir, mkdtemp, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { treeFingerprint, treeFingerprints } from './layer-fingerprint.js';

const execFileAsync = promisify(execFile);
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

/** Seconds since the epoch: "old" times, well before `NOW`. */
const OLD = 1_700_000_000;
const NOW = (OLD + 3600) * 1000;

/** A small layer tree whose files all carry old times (so their times stand for their content). */
async function makeTree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'devflow-fingerprint-'));
  scratch.push(dir);
  await mkdir(join(dir, 'lib', 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(dir, 'lib', 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
  await writeFile(join(dir, 'lib', 'node_modules', 'dep', 'package.json'), '{"name":"dep"}\n');
  await symlink('lib/node_modules', join(dir, 'modules'));
  await writeFile(join(dir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  for (const file of ['lib/node_modules/dep/index.js', 'lib/node_modules/dep/package.json', 'run.sh']) {
    await utimes(join(dir, file), OLD, OLD);
  }
  return dir;
}

const fingerprint = (dir: string, now = NOW) => treeFingerprint(dir, { now });
const index = (dir: string) => join(dir, 'lib', 'node_modules', 'dep', 'index.js');

describe('treeFingerprint', () => {
  it.each<[string, (dir: string) => Promise<unknown>]>([
    ['a changed byte with the same size and a touched time', async (dir) => {
      await writeFile(index(dir), 'module.exports = 2;\n');
      await utimes(index(dir), OLD + 1, OLD + 1);
    }],
    // One nanosecond later: Node's utimes rounds below a microsecond, touch does not.
    ['only a touched time, 1 ns later', (dir) => execFileAsync('touch', ['-m', '-d', `@${OLD}.000000001`, index(dir)])],
    ['a renamed file', (dir) => rename(index(dir), join(dir, 'lib', 'node_modules', 'dep', 'main.js'))],
    ['a renamed directory', (dir) => rename(join(dir, 'lib', 'node_modules', 'dep'), join(dir, 'lib', 'node_modules', 'dep2'))],
    ['a removed file', (dir) => unlink(join(dir, 'run.sh'))],
    ['an added empty directory', (dir) => mkdir(join(dir, 'cache'))],
    ['a changed mode', (dir) => chmod(join(dir, 'run.sh'), 0o644)],
    ['another symlink target', async (dir) => {
      await unlink(join(dir, 'modules'));
      await symlink('lib', join(dir, 'modules'));
    }],
    ['a hard link in place of a copy', async (dir) => {
      await unlink(join(dir, 'run.sh'));
      await link(index(dir), join(dir, 'run.sh'));
    }],
  ])('changes with %s', async (_, change) => {
    const dir = await makeTree();
    const before = await fingerprint(dir);
    await change(dir);
    const after = await fingerprint(dir);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });

  it.each<[string, (dir: string) => Promise<unknown>]>([
    ['nothing done', async () => undefined],
    ['a directory\'s time touched (the tar stamps directories with a fixed time)', (dir) => utimes(join(dir, 'lib'), OLD + 5, OLD + 5)],
    ['a file rewritten with the same bytes and its time put back', async (dir) => {
      await writeFile(index(dir), 'module.exports = 1;\n');
      await utimes(index(dir), OLD, OLD);
    }],
  ])('stays with %s', async (_, change) => {
    const dir = await makeTree();
    const before = await fingerprint(dir);
    await change(dir);
    expect(await fingerprint(dir)).toBe(before);
  });

  it('reads a recently written file by content: a same-size change within one clock tick still shows', async () => {
    const dir = await makeTree();
    const recent = NOW / 1000 - 0.5;
    await utimes(index(dir), recent, recent);
    const before = await fingerprint(dir);
    await writeFile(index(dir), 'module.exports = 2;\n');
    await utimes(index(dir), recent, recent);
    expect(await fingerprint(dir)).not.toBe(before);
    // The same bytes rewritten (a buildpack writing a file anew each build) keep the fingerprint.
    await writeFile(index(dir), 'module.exports = 1;\n');
    await utimes(index(dir), recent + 0.25, recent + 0.25);
    expect(await fingerprint(dir)).toBe(before);
  });

  it('takes fingerprints as of several times in one walk, each as it would alone', async () => {
    const dir = await makeTree();
    const recent = NOW / 1000 - 0.5;
    await utimes(index(dir), recent, recent);
    const times = [NOW, NOW + 10_000];
    const alone = await Promise.all(times.map((now) => fingerprint(dir, now)));
    expect(await treeFingerprints(dir, times)).toEqual(alone);
    // Read by content as of NOW, by its time ten seconds later.
    expect(alone[0]).not.toBe(alone[1]);
  });

  it('gives none when recent files are too large to read cheaply', async () => {
    const dir = await makeTree();
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(2048));
    expect(await treeFingerprint(dir, { racyBytes: 1024 })).toBeNull();
    await utimes(join(dir, 'big.bin'), OLD, OLD);
    expect(await treeFingerprint(dir, { racyBytes: 1024 })).toMatch(/^[0-9a-f]{64}$/);
  });
});
