import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTar, writeFiles } from './test-support.js';
import { exportTree, hasFile, quarantineEnv, resolveRef } from './trees.js';

let dir: string;
let gitDir: string;
let sha: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devflow-trees-'));
  gitDir = join(dir, 'app.git');
  const work = join(dir, 'work');
  await execa('git', ['init', '--quiet', '--bare', '--initial-branch=main', gitDir]);
  await execa('git', ['init', '--quiet', '--initial-branch=main', work]);
  await writeFiles(work, { 'Dockerfile': 'FROM scratch\n', 'index.js': 'console.log(1)\n' });
  const git = (args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: work });
  await git(['add', '.']);
  await git(['commit', '--quiet', '-m', 'one']);
  await git(['tag', 'v1']);
  await git(['push', '--quiet', gitDir, 'main', 'v1']);
  sha = (await git(['rev-parse', 'HEAD'])).stdout.trim();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the repository readers', () => {
  it('exports a commit\'s tree, with excluded paths left out', async () => {
    await exportTree(gitDir, sha, join(dir, 'all.tar'));
    expect(await extractTar(join(dir, 'all.tar'), join(dir, 'all'))).toEqual({ 'Dockerfile': 'FROM scratch\n', 'index.js': 'console.log(1)\n' });
    await exportTree(gitDir, sha, join(dir, 'some.tar'), { exclude: ['Dockerfile'] });
    expect(await extractTar(join(dir, 'some.tar'), join(dir, 'some'))).toEqual({ 'index.js': 'console.log(1)\n' });
  });

  it.each([
    ['main', 'refs/heads/main'],
    ['v1', 'refs/tags/v1'],
  ])('resolves %s as %s', async (ref, full) => {
    expect(await resolveRef(gitDir, ref)).toEqual({ sha, ref: full });
  });

  it('resolves a commit as itself and says what to do about an unknown ref', async () => {
    expect(await resolveRef(gitDir, sha)).toEqual({ sha, ref: sha });
    await expect(resolveRef(gitDir, 'nope')).rejects.toThrow('ref "nope" is not in the app\'s repository: git push it first');
  });

  it('knows whether a file is at a commit', async () => {
    expect(await hasFile(gitDir, sha, 'Dockerfile')).toBe(true);
    expect(await hasFile(gitDir, sha, 'Procfile')).toBe(false);
  });

  it('reads a quarantine folder only inside the repository\'s objects', async () => {
    const inside = join(gitDir, 'objects', 'tmp_objdir-incoming-abc');
    await mkdir(inside);
    expect((await quarantineEnv(gitDir, inside)).GIT_OBJECT_DIRECTORY).toBe(inside);
    for (const outside of [join(dir, 'tmp_objdir-incoming-x'), join(gitDir, 'objects', 'pack'), '/etc']) {
      await mkdir(outside, { recursive: true }).catch(() => {});
      await expect(quarantineEnv(gitDir, outside)).rejects.toThrow('quarantine');
    }
  });
});
