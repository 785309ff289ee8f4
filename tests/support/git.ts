/** A real git client working on throw-away repositories, with no prompts and no user config. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface Workdir {
  dir: string;
  git(args: string[], options?: { reject?: boolean }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  write(file: string, content: string): Promise<void>;
  commit(message: string): Promise<string>;
}

export async function repoFromExample(exampleDir: string): Promise<Workdir> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-src-'));
  await fs.cp(exampleDir, dir, { recursive: true });
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-githome-'));
  // A committer address of its own per repository: two test files side by side committing the
  // same example with the same message in the same second would otherwise make the same commit,
  // so the same image tag (devflow/<app>:<sha>), and one file's cleanup would remove the other's.
  const committer = `dev+${randomBytes(4).toString('hex')}@example.com`;
  const env = { HOME: home, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_COMMITTER_EMAIL: committer, PATH: process.env.PATH ?? '' };
  const git: Workdir['git'] = async (args, options = {}) => {
    const r = await execa('git', args, { cwd: dir, env, extendEnv: false, reject: options.reject ?? true });
    return { exitCode: r.exitCode ?? 0, stdout: r.stdout, stderr: r.stderr };
  };
  await git(['init', '-q', '-b', 'main']);
  await git(['config', 'user.email', 'dev@example.com']);
  await git(['config', 'user.name', 'Dev']);
  const workdir: Workdir = {
    dir,
    git,
    write: (file, content) => fs.writeFile(path.join(dir, file), content),
    async commit(message) {
      await git(['add', '-A']);
      await git(['commit', '-q', '-m', message]);
      return (await git(['rev-parse', 'HEAD'])).stdout.trim();
    },
  };
  await workdir.commit('initial');
  return workdir;
}

export function remoteUrl(port: number, token: string, app: string): string {
  return `http://devflow:${token}@127.0.0.1:${port}/${app}.git`;
}

/** `git push` of a refspec to an app on a running DevFlow, with its token; never throws on refusal. */
export function pushTo(
  repo: Workdir, devflow: { port: number; token: string }, app: string, refspec = 'HEAD:refs/heads/main',
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return repo.git(['push', remoteUrl(devflow.port, devflow.token, app), refspec], { reject: false });
}
