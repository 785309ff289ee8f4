/**
 * Brings a pull request's head commit into the app's bare repository and exports its tree,
 * for a preview deploy. git runs with argument arrays and only the http(s) transports allowed
 * (no ext::, file:// or ssh), without prompts, and the fetched commit must be the head sha the
 * signed webhook named.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { InvalidInputError } from '../../core/errors.js';
import type { PullRequestEvent } from './webhook.js';

const GIT_SAFETY = ['-c', 'protocol.allow=never', '-c', 'protocol.http.allow=always', '-c', 'protocol.https.allow=always',
  '-c', 'credential.helper=', '-c', 'core.askPass=true'];
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };

/** Fetches the head and writes `git archive` of it to a temporary tar; returns its path. */
export async function exportPullRequestHead(repoDir: string, event: PullRequestEvent): Promise<string> {
  await assertBranchName(event.headRef);
  const local = `refs/devflow/pull/${event.number}`;
  const fetched = await execa('git', ['--git-dir', repoDir, ...GIT_SAFETY, 'fetch', '--no-tags', '--quiet', '--',
    event.cloneUrl, `+refs/heads/${event.headRef}:${local}`], { env: GIT_ENV, reject: false, timeout: 300_000 });
  if (fetched.exitCode !== 0) {
    throw new InvalidInputError(`could not fetch ${event.headRef} from ${event.cloneUrl}: ${fetched.stderr.trim().split('\n').pop() ?? ''}`);
  }
  const present = await execa('git', ['--git-dir', repoDir, 'cat-file', '-e', `${event.headSha}^{commit}`], { reject: false });
  if (present.exitCode !== 0) {
    throw new InvalidInputError(`the pull request's head ${event.headSha.slice(0, 7)} is not on ${event.headRef} any more (pushed again?)`);
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-pr-'));
  const tar = path.join(dir, 'source.tar');
  await execa('git', ['--git-dir', repoDir, 'archive', '--format=tar', '-o', tar, event.headSha]);
  return tar;
}

async function assertBranchName(name: string): Promise<void> {
  const check = await execa('git', ['check-ref-format', '--branch', name], { reject: false });
  if (check.exitCode !== 0 || name.startsWith('-')) throw new InvalidInputError(`"${name}" is not a valid branch name`);
}
