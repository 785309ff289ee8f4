/**
 * Reading the apps' bare repositories: the one place DevFlow runs `git archive` (git-archive(1))
 * to hand a tree to the build, resolves a ref to a commit, and looks for a file at a commit.
 *
 * A tree pushed right now is still in git's quarantine (git-receive-pack(1), "QUARANTINE
 * ENVIRONMENT"): its objects sit in `<repo>/objects/tmp_objdir-incoming-*` until the
 * pre-receive hook accepts the push, and only a process given that folder can read them. The
 * hook sends its folder; `quarantineEnv` checks it belongs to the repository before git sees it.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DevflowError, NotFoundError } from '../core/errors.js';

export interface ExportOptions {
  /** Paths left out of the tree (git pathspecs relative to the root), e.g. ['Dockerfile']. */
  exclude?: readonly string[];
  /** A folder of the tree exported as the root instead of the whole tree (a monorepo's base directory). */
  root?: string | undefined;
  /** The pushed objects' quarantine folder, for a tree whose push is still running. */
  quarantine?: string;
}

/** Writes the tree at `sha` as a tar (git archive format) to `dest`. */
export async function exportTree(gitDir: string, sha: string, dest: string, options: ExportOptions = {}): Promise<void> {
  const env = options.quarantine ? await quarantineEnv(gitDir, options.quarantine) : {};
  const exclude = options.exclude?.length ? ['--', '.', ...options.exclude.map((p) => `:(exclude)${p}`)] : [];
  // `<sha>:<folder>` names the folder's tree (gitrevisions(7)), so the archive holds only that folder.
  const treeish = options.root ? `${sha}:${options.root.replace(/^\/+|\/+$/g, '')}` : sha;
  const result = await execa('git', ['--git-dir', gitDir, 'archive', '--format=tar', '-o', dest, treeish, ...exclude], { env, reject: false });
  if (result.exitCode !== 0) throw new DevflowError('internal', `git archive ${sha} failed: ${result.stderr.trim()}`);
}

/** The environment that lets git read a running push's objects; refuses a folder outside the repository. */
export async function quarantineEnv(gitDir: string, quarantine: string): Promise<Record<string, string>> {
  const objects = await realpath(path.join(gitDir, 'objects'));
  const folder = await realpath(quarantine).catch(() => '');
  if (path.dirname(folder) !== objects || !path.basename(folder).startsWith('tmp_objdir-')) {
    throw new DevflowError('internal', `the pushed objects are not in ${gitDir}'s quarantine`);
  }
  return { GIT_OBJECT_DIRECTORY: folder, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects, GIT_QUARANTINE_PATH: folder };
}

/** A branch resolves as refs/heads/<branch>; tags and commits keep their own name. */
export async function resolveRef(gitDir: string, ref: string): Promise<{ sha: string; ref: string }> {
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`, ref]) {
    const r = await execa('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `${candidate}^{commit}`], { reject: false });
    if (r.exitCode === 0 && r.stdout.trim() !== '') return { sha: r.stdout.trim(), ref: candidate };
  }
  throw new NotFoundError(`ref "${ref}" is not in the app's repository: git push it first`);
}

export async function hasFile(gitDir: string, sha: string, file: string): Promise<boolean> {
  const r = await execa('git', ['--git-dir', gitDir, 'cat-file', '-e', `${sha}:${file}`], { reject: false });
  return r.exitCode === 0;
}
