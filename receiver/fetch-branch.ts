/**
 * Brings a branch head from another git host into an app's bare repository: a pull request's
 * head (for its preview, http(s) only), or the connected repository's deploy branch (issue 22,
 * `fetchFromHost`: http(s) or ssh, with the connection's token or deploy key, and the URL and
 * its resolved addresses checked by remote-url.ts right before git runs). git runs with argument
 * arrays, only the allowed transports (no ext::, file://), without prompts, and the fetched
 * commit must be the head sha the caller expects (the one a signed webhook named).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { InvalidInputError } from '../core/errors.js';
import { assertFetchableHost, parseRepositoryUrl } from './remote-url.js';
import { shellQuote } from './repos.js';

const HTTP_ONLY = ['-c', 'protocol.allow=never', '-c', 'protocol.http.allow=always', '-c', 'protocol.https.allow=always'];
const NO_PROMPTS = ['-c', 'credential.helper=', '-c', 'core.askPass=true'];
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };

export interface RemoteBranch {
  /** http(s) clone URL of the other repository. */
  url: string;
  branch: string;
  /** The commit the branch must hold; '' takes whatever the branch holds (a forced deploy of its head). */
  sha: string;
  /** Where it is kept in the app's repository, e.g. refs/devflow/pull/7. */
  localRef: string;
}

/** How DevFlow proves itself to a private repository's host. */
export type GitCredentials =
  | { kind: 'token'; token: string; username: string }
  | { kind: 'deploy-key'; privateKey: string };

export interface HostRemote extends RemoteBranch {
  /** http(s), ssh:// or scp-like `git@host:path`. */
  url: string;
  credentials?: GitCredentials | undefined;
  /** Hosts trusted despite being loopback or private (DEVFLOW_GIT_ALLOW_HOSTS). */
  allowHosts: readonly string[];
}

export async function fetchBranch(repoDir: string, remote: RemoteBranch): Promise<void> {
  await runFetch(repoDir, remote, [...HTTP_ONLY, ...NO_PROMPTS], {});
}

/** The connected repository's branch: the URL is checked again here, at fetch time. */
export async function fetchFromHost(repoDir: string, remote: HostRemote): Promise<void> {
  const checked = parseRepositoryUrl(remote.url, remote.allowHosts);
  await assertFetchableHost(checked, remote.allowHosts);
  const protocols = checked.transport === 'ssh' ? ['-c', 'protocol.allow=never', '-c', 'protocol.ssh.allow=always'] : HTTP_ONLY;
  const keyDir = remote.credentials?.kind === 'deploy-key' ? await mkdtemp(path.join(os.tmpdir(), 'devflow-key-')) : undefined;
  try {
    const env = await credentialEnv(remote.credentials, keyDir);
    await runFetch(repoDir, remote, [...protocols, ...NO_PROMPTS], env, remote.credentials);
  } finally {
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  }
}

/**
 * Credentials reach git through its environment, never its arguments (which `ps` shows): a
 * token as an HTTP Authorization header (GIT_CONFIG_COUNT, git-config(1) "ENVIRONMENT"), a
 * deploy key as a 0600 file in a private temp folder that ssh is pointed at. ssh always runs in
 * batch mode with its own known_hosts in that folder.
 */
async function credentialEnv(credentials: GitCredentials | undefined, keyDir: string | undefined): Promise<Record<string, string>> {
  if (credentials?.kind === 'token') {
    const basic = Buffer.from(`${credentials.username}:${credentials.token}`).toString('base64');
    return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
  }
  // No user ssh config, no agent: only the app's own key (or none) ever reaches the host.
  const sshOptions = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new', '-o', 'IdentityAgent=none'];
  if (credentials?.kind !== 'deploy-key' || !keyDir) return { GIT_SSH_COMMAND: ['ssh', ...sshOptions, '-o', 'IdentityFile=none'].join(' ') };
  const keyFile = path.join(keyDir, 'id_ed25519');
  await writeFile(keyFile, credentials.privateKey, { mode: 0o600 });
  // The paths are DevFlow's own temp folder, quoted; nothing from the user is in this command.
  const command = ['ssh', ...sshOptions, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${shellQuote(path.join(keyDir, 'known_hosts'))}`,
    '-i', shellQuote(keyFile)];
  return { GIT_SSH_COMMAND: command.join(' ') };
}

async function runFetch(
  repoDir: string, remote: RemoteBranch, config: string[], env: Record<string, string>, credentials?: GitCredentials,
): Promise<void> {
  await assertBranchName(remote.branch);
  const fetched = await execa('git', ['--git-dir', repoDir, ...config, 'fetch', '--no-tags', '--quiet', '--',
    remote.url, `+refs/heads/${remote.branch}:${remote.localRef}`], { env: { ...GIT_ENV, ...env }, reject: false, timeout: 300_000 });
  if (fetched.exitCode !== 0) throw fetchError(remote, fetched.stderr, credentials);
  if (remote.sha === '') return;
  const present = await execa('git', ['--git-dir', repoDir, 'cat-file', '-e', `${remote.sha}^{commit}`], { reject: false });
  if (present.exitCode !== 0) {
    throw new InvalidInputError(`the commit ${remote.sha.slice(0, 7)} is not on ${remote.branch} any more (pushed again?)`);
  }
}

const AUTH_FAILURE = /Authentication failed|could not read Username|terminal prompts disabled|Permission denied \(publickey|HTTP 40[134]|returned error: 40[134]|Host key verification failed|Repository not found/i;

/** A private repository without (working) credentials says which credential to add. */
export function fetchError(remote: RemoteBranch, stderr: string, credentials: GitCredentials | undefined): InvalidInputError {
  const last = stderr.trim().split('\n').pop() ?? '';
  if (!AUTH_FAILURE.test(stderr)) return new InvalidInputError(`could not fetch ${remote.branch} from ${remote.url}: ${last}`);
  const advice = credentials?.kind === 'token'
    ? 'the access token was refused: give one that can read the repository (git:connect … --token-from-env VAR)'
    : credentials?.kind === 'deploy-key'
      ? 'the deploy key was refused: add the public key from `devflow git:info` to the repository\'s deploy keys'
      : /^https?:/.test(remote.url)
        ? 'the repository is private: add an access token (`devflow git:connect <app> <url> --token-from-env VAR`)'
        : 'the repository is private: add a deploy key (`devflow git:connect <app> <url> --deploy-key`, then add its public key to the repository)';
  return new InvalidInputError(`could not fetch ${remote.branch} from ${remote.url}: ${advice} (git: ${last})`);
}

async function assertBranchName(name: string): Promise<void> {
  const check = await execa('git', ['check-ref-format', '--branch', name], { reject: false });
  if (check.exitCode !== 0 || name.startsWith('-')) throw new InvalidInputError(`"${name}" is not a valid branch name`);
}
