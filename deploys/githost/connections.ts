/**
 * Connecting an app to its repository on a git host (issue 22): the URL checked once at the
 * edge (receiver/remote-url.ts), the deploy branch and base directory, and the credentials sealed
 * at rest like every other secret (core/secrets.ts). What the API shows of a connection never
 * holds the token or the private key: the token is masked, the key shows its public half.
 */
import { execa } from 'execa';
import { InvalidInputError } from '../../core/errors.js';
import { openSecret, sealSecret, type SecretKey } from '../../core/secrets.js';
import type { GitConnectionRecord, GitProvider, NewGitConnection } from '../../core/store/git-connections.js';
import { parseApiUrl, parseRepositoryUrl, type GitCredentials } from '../../receiver/index.js';
import { generateDeployKey } from './deploy-key.js';
import { defaultApiUrl, knownProvider } from './host-api.js';
import { hostKeyFingerprints, parseKnownHosts } from './host-keys.js';
import { normaliseBaseDir, normaliseTagPattern } from './push-plan.js';

export interface ConnectInput {
  url: string;
  branch?: string | undefined;
  baseDir?: string | undefined;
  provider?: string | undefined;
  apiUrl?: string | undefined;
  /** The access token itself (the CLI reads it from the variable --token-from-env names). */
  token?: string | undefined;
  /** Make (or keep) an SSH deploy key. */
  deployKey?: boolean | undefined;
  /** Tags whose pushes deploy, a glob such as `v*`; '' or absent: none. */
  tags?: string | undefined;
  /** Only tags deploy: pushes to the branch do not (needs `tags`). */
  tagsOnly?: boolean | undefined;
  /** ssh URLs: the host keys to pin (known_hosts or `<type> <base64>` lines); absent: pinned on the first fetch. */
  knownHosts?: string | undefined;
}

export interface ConnectionView {
  url: string;
  branch: string;
  baseDir: string | null;
  provider: GitProvider | null;
  apiUrl: string | null;
  /** `••••` and the last 4 characters, or null: the token itself is never shown. */
  token: string | null;
  /** The deploy key's public half, to add to the repository's deploy keys. */
  deployKey: string | null;
  /** Tags whose pushes deploy (`v*`), or null. */
  tags: string | null;
  /** False when only tags deploy. */
  branchDeploys: boolean;
  /** The pinned ssh host keys by fingerprint (`ssh-ed25519 SHA256:…`); empty until given or first fetched. */
  hostKeys: string[];
  createdAt: Date;
}

const PROVIDERS: readonly GitProvider[] = ['github', 'gitea', 'gitlab'];

/** The connection to store, from what the user gave; `previous` keeps its deploy key across reconnects. */
export async function planConnection(
  input: ConnectInput, defaults: { branch: string; appName: string }, key: SecretKey, allowHosts: readonly string[],
  previous: GitConnectionRecord | undefined,
): Promise<NewGitConnection> {
  const repo = parseRepositoryUrl(input.url, allowHosts);
  const branch = input.branch?.trim() || defaults.branch;
  const check = await execa('git', ['check-ref-format', '--branch', branch], { reject: false });
  if (check.exitCode !== 0 || branch.startsWith('-')) throw new InvalidInputError(`"${branch}" is not a valid branch name`);
  const baseDir = asInput(() => normaliseBaseDir(input.baseDir));
  const tagPattern = asInput(() => normaliseTagPattern(input.tags));
  if (input.tagsOnly && !tagPattern) throw new InvalidInputError('deploying only tags needs the tags that deploy, e.g. --tags \'v*\'');
  const given = input.knownHosts !== undefined ? asInput(() => parseKnownHosts(input.knownHosts!)) : undefined;
  if (given && repo.transport !== 'ssh') throw new InvalidInputError('known hosts are for ssh URLs: an http(s) repository is checked by its TLS certificate');
  // Keys pinned for the same host stay pinned across reconnects; another host starts afresh.
  const sameHost = previous !== undefined && sameSshHost(previous.url, repo.url, allowHosts);
  const knownHosts = given ?? (repo.transport === 'ssh' && sameHost ? previous!.knownHosts : null);
  if (input.provider !== undefined && !PROVIDERS.includes(input.provider as GitProvider)) {
    throw new InvalidInputError(`host "${input.provider}" is unknown: use github, gitea or gitlab`);
  }
  const provider = (input.provider as GitProvider | undefined) ?? knownProvider(repo.host);
  const apiUrl = input.apiUrl ? parseApiUrl(input.apiUrl, allowHosts) : provider ? defaultApiUrl(provider, repo.host) : null;
  const token = input.token?.trim();
  const pair = input.deployKey
    ? previous?.sealedDeployKey && previous.deployPublicKey
      ? { publicKey: previous.deployPublicKey, sealed: previous.sealedDeployKey }
      : sealedKeyPair(key, `devflow-${defaults.appName}`)
    : undefined;
  return {
    url: repo.url, branch, baseDir, provider, apiUrl,
    sealedToken: token ? sealSecret(key, token) : null,
    deployPublicKey: pair?.publicKey ?? null, sealedDeployKey: pair?.sealed ?? null,
    tagPattern, branchDeploys: !input.tagsOnly, knownHosts,
  };
}

function asInput<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new InvalidInputError((err as Error).message);
  }
}

/** The same ssh host and port: ssh://h:2222/… and git@h:… differ; a changed user or path does not matter. */
function sameSshHost(before: string, after: string, allowHosts: readonly string[]): boolean {
  const where = (url: string) => {
    const parsed = parseRepositoryUrl(url, allowHosts);
    return parsed.transport === 'ssh' ? `${parsed.host}:${url.startsWith('ssh://') ? new URL(url).port || '22' : '22'}` : undefined;
  };
  try {
    return where(before) !== undefined && where(before) === where(after);
  } catch {
    return false;
  }
}

function sealedKeyPair(key: SecretKey, comment: string): { publicKey: string; sealed: string } {
  const pair = generateDeployKey(comment);
  return { publicKey: pair.publicKey, sealed: sealSecret(key, pair.privateKey) };
}

export function connectionView(c: GitConnectionRecord, key: SecretKey): ConnectionView {
  return {
    url: c.url, branch: c.branch, baseDir: c.baseDir, provider: c.provider, apiUrl: c.apiUrl,
    token: c.sealedToken ? maskToken(openSecret(key, c.sealedToken)) : null, deployKey: c.deployPublicKey,
    tags: c.tagPattern, branchDeploys: c.branchDeploys, hostKeys: hostKeyFingerprints(c.knownHosts), createdAt: c.createdAt,
  };
}

export function maskToken(token: string): string {
  return token.length > 12 ? `••••${token.slice(-4)}` : '••••';
}

/** What git fetches with: the deploy key for ssh URLs, the token for http(s) ones. */
export function fetchCredentials(c: GitConnectionRecord, key: SecretKey): GitCredentials | undefined {
  const ssh = !/^https?:\/\//.test(c.url);
  if (ssh && c.sealedDeployKey) return { kind: 'deploy-key', privateKey: openSecret(key, c.sealedDeployKey) };
  if (!ssh && c.sealedToken) {
    return { kind: 'token', token: openSecret(key, c.sealedToken), username: c.provider === 'gitlab' ? 'oauth2' : 'x-access-token' };
  }
  return undefined;
}
