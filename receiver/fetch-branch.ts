/**
 * Brings a branch head from another git host into an app's bare repository (a pull request's
 * head, for its preview). git runs with argument arrays and only the http(s) transports allowed
 * (no ext::, file:// or ssh), without prompts, and the fetched commit must be the head sha the
 * caller expects (the one a signed webhook named).
 */
import { execa } from 'execa';
import { InvalidInputError } from '../core/errors.js';

const GIT_SAFETY = ['-c', 'protocol.allow=never', '-c', 'protocol.http.allow=always', '-c', 'protocol.https.allow=always',
  '-c', 'credential.helper=', '-c', 'core.askPass=true'];
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };

export interface RemoteBranch {
  /** http(s) clone URL of the other repository. */
  url: string;
  branch: string;
  /** The commit the branch must hold. */
  sha: string;
  /** Where it is kept in the app's repository, e.g. refs/devflow/pull/7. */
  localRef: string;
}

export async function fetchBranch(repoDir: string, remote: RemoteBranch): Promise<void> {
  await assertBranchName(remote.branch);
  const fetched = await execa('git', ['--git-dir', repoDir, ...GIT_SAFETY, 'fetch', '--no-tags', '--quiet', '--',
    remote.url, `+refs/heads/${remote.branch}:${remote.localRef}`], { env: GIT_ENV, reject: false, timeout: 300_000 });
  if (fetched.exitCode !== 0) {
    throw new InvalidInputError(`could not fetch ${remote.branch} from ${remote.url}: ${fetched.stderr.trim().split('\n').pop() ?? ''}`);
  }
  const present = await execa('git', ['--git-dir', repoDir, 'cat-file', '-e', `${remote.sha}^{commit}`], { reject: false });
  if (present.exitCode !== 0) {
    throw new InvalidInputError(`the pull request's head ${remote.sha.slice(0, 7)} is not on ${remote.branch} any more (pushed again?)`);
  }
}

async function assertBranchName(name: string): Promise<void> {
  const check = await execa('git', ['check-ref-format', '--branch', name], { reject: false });
  if (check.exitCode !== 0 || name.startsWith('-')) throw new InvalidInputError(`"${name}" is not a valid branch name`);
}
