/**
 * Brings a branch head from another git host into an app's bare repository: a pull request's
 * head (for its preview, http(s) only), or the connected repository's deploy branch or a tag
 * (issue 22, `fetchFromHost`: http(s) or ssh, with the connection's token or deploy key, and the
 * URL and its resolved addresses checked by remote-url.ts right before git runs). git runs with
 * argument arrays, only the allowed transports (no ext::, file://), without prompts, and the
 * fetched commit must be the head sha the caller expects (the one a signed webhook named).
 *
 * Over ssh the host's key is always checked (StrictHostKeyChecking): against the connection's
 * pinned known_hosts lines when it has them; on a connection's very first fetch without them,
 * the key the host shows is accepted and handed back to be pinned, so every later fetch must
 * meet the same key (trust on first use, as ssh itself does with `accept-new`).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  /** The full ref to fetch (`refs/tags/v1.2.0`); absent: refs/heads/<branch>. */
  ref?: string | undefined;
  credentials?: GitCredentials | undefined;
  /** Hosts trusted despite being loopback or private (DEVFLOW_GIT_ALLOW_HOSTS). */
  allowHosts: readonly string[];
  /** ssh only: the pinned host keys, one `<type> <base64>` per line; null/absent: none pinned yet. */
  knownHosts?: string | null | undefined;
}

export interface HostFetch {
  /** ssh without pinned keys: the host keys seen on this (first) fetch, `<type> <base64>` lines, to pin. */
  learnedKnownHosts?: string;
}

/** The name ssh files the host's key under, whatever the URL's host and port (ssh_config(5) HostKeyAlias). */
const HOST_KEY_ALIAS = 'devflow-remote';

export async function fetchBranch(repoDir: string, remote: RemoteBranch): Promise<void> {
  await runFetch(repoDir, remote, [...HTTP_ONLY, ...NO_PROMPTS], {});
}

/** The connected repository's branch or tag: the URL is checked again here, at fetch time. */
export async function fetchFromHost(repoDir: string, remote: HostRemote): Promise<HostFetch> {
  const checked = parseRepositoryUrl(remote.url, remote.allowHosts);
  await assertFetchableHost(checked, remote.allowHosts);
  if (checked.transport === 'http') {
    await runFetch(repoDir, remote, [...HTTP_ONLY, ...NO_PROMPTS], tokenEnv(remote.credentials), remote.credentials);
    return {};
  }
  const sshDir = await mkdtemp(path.join(os.tmpdir(), 'devflow-ssh-'));
  try {
    const knownHostsFile = path.join(sshDir, 'known_hosts');
    const pinned = remote.knownHosts?.trim() ? remote.knownHosts : undefined;
    await writeFile(knownHostsFile, pinned ? knownHostsFileText(pinned) : '', { mode: 0o600 });
    const env = await sshEnv(remote.credentials, sshDir, knownHostsFile, pinned !== undefined);
    await runFetch(repoDir, remote, ['-c', 'protocol.allow=never', '-c', 'protocol.ssh.allow=always', ...NO_PROMPTS], env, remote.credentials);
    if (pinned) return {};
    const learned = hostKeyLines(await readFile(knownHostsFile, 'utf8'));
    return learned ? { learnedKnownHosts: learned } : {};
  } finally {
    await rm(sshDir, { recursive: true, force: true });
  }
}

/**
 * Credentials reach git through its environment, never its arguments (which `ps` shows): a
 * token as an HTTP Authorization header (GIT_CONFIG_COUNT, git-config(1) "ENVIRONMENT").
 */
function tokenEnv(credentials: GitCredentials | undefined): Record<string, string> {
  if (credentials?.kind !== 'token') return {};
  const basic = Buffer.from(`${credentials.username}:${credentials.token}`).toString('base64');
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
}

/**
 * ssh runs in batch mode with no user config and no agent, so only the app's own deploy key (a
 * 0600 file in a private temp folder) or none ever reaches the host, and with a known_hosts
 * file of its own in that folder: the pinned keys, checked strictly; none pinned yet, the first
 * key seen is accepted (and returned to be pinned), a changed one never is.
 */
async function sshEnv(credentials: GitCredentials | undefined, sshDir: string, knownHostsFile: string, pinned: boolean): Promise<Record<string, string>> {
  // The paths are DevFlow's own temp folder, quoted; nothing from the user is in this command.
  const command = ['ssh', '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentityAgent=none',
    '-o', `StrictHostKeyChecking=${pinned ? 'yes' : 'accept-new'}`, '-o', `HostKeyAlias=${HOST_KEY_ALIAS}`,
    '-o', `UserKnownHostsFile=${shellQuote(knownHostsFile)}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'UpdateHostKeys=no'];
  if (credentials?.kind === 'deploy-key') {
    const keyFile = path.join(sshDir, 'id_ed25519');
    await writeFile(keyFile, credentials.privateKey, { mode: 0o600 });
    command.push('-o', 'IdentitiesOnly=yes', '-i', shellQuote(keyFile));
  } else {
    command.push('-o', 'IdentityFile=none');
  }
  return { GIT_SSH_COMMAND: command.join(' ') };
}

function knownHostsFileText(keys: string): string {
  return keys.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => `${HOST_KEY_ALIAS} ${l}\n`).join('');
}

/** `<type> <base64>` lines of a known_hosts file's entries (the host field dropped). */
function hostKeyLines(file: string): string {
  return file.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 3 && !f[0]!.startsWith('#'))
    .map((f) => `${f[1]} ${f[2]}`).join('\n');
}

async function runFetch(
  repoDir: string, remote: RemoteBranch & { ref?: string | undefined }, config: string[], env: Record<string, string>, credentials?: GitCredentials,
): Promise<void> {
  const ref = remote.ref ?? `refs/heads/${remote.branch}`;
  if (remote.ref === undefined) await assertBranchName(remote.branch);
  else await assertRefName(ref);
  const fetched = await execa('git', ['--git-dir', repoDir, ...config, 'fetch', '--no-tags', '--quiet', '--',
    remote.url, `+${ref}:${remote.localRef}`], { env: { ...GIT_ENV, ...env }, reject: false, timeout: 300_000 });
  if (fetched.exitCode !== 0) throw fetchError(remote, fetched.stderr, credentials);
  if (remote.sha === '') return;
  const present = await execa('git', ['--git-dir', repoDir, 'cat-file', '-e', `${remote.sha}^{commit}`], { reject: false });
  if (present.exitCode !== 0) {
    throw new InvalidInputError(`the commit ${remote.sha.slice(0, 7)} is not on ${remote.branch} any more (pushed again?)`);
  }
}

const AUTH_FAILURE = /Authentication failed|could not read Username|terminal prompts disabled|Permission denied \(publickey|HTTP 40[134]|returned error: 40[134]|Repository not found/i;

/** A private repository without (working) credentials says which credential to add. */
export function fetchError(remote: RemoteBranch, stderr: string, credentials: GitCredentials | undefined): InvalidInputError {
  const last = stderr.trim().split('\n').pop() ?? '';
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(stderr)) {
    return new InvalidInputError(`could not fetch ${remote.branch} from ${remote.url}: the ssh host's key is not the one pinned for this connection `
      + '(if the host really changed its key, connect again with --known-hosts FILE holding the new one, e.g. from ssh-keyscan)');
  }
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

async function assertRefName(ref: string): Promise<void> {
  const check = await execa('git', ['check-ref-format', ref], { reject: false });
  if (check.exitCode !== 0 || !/^refs\/(heads|tags)\//.test(ref)) throw new InvalidInputError(`"${ref}" is not a branch or tag`);
}

async function assertBranchName(name: string): Promise<void> {
  const check = await execa('git', ['check-ref-format', '--branch', name], { reject: false });
  if (check.exitCode !== 0 || name.startsWith('-')) throw new InvalidInputError(`"${name}" is not a valid branch name`);
}
