/**
 * Which repository URLs DevFlow fetches from (issue 22, "Must hold"): only the network transports
 * git documents in git-fetch(1) "GIT URLS" as http://, https://, ssh:// and the scp-like
 * `user@host:path`, and never a host that is this machine or its private networks. Without that,
 * `git:connect` would be a way to read the DevFlow machine's own files (a local path, file://)
 * or to probe internal services (loopback, link-local metadata endpoints, private ranges).
 *
 * The check runs twice: on the URL as written (at connect time), and on the addresses its host
 * name resolves to right before each fetch (`assertFetchableHost`), because a name can be pointed
 * at 127.0.0.1 after it was accepted. Operators on a private network (and tests against a local
 * git server) name the hosts they trust in DEVFLOW_GIT_ALLOW_HOSTS; nothing else bypasses it.
 */
import { InvalidInputError } from '../core/errors.js';
import { hostRefusal, privateResolution, resolveAll, type Resolve } from '../core/outbound-hosts.js';

// The address rules live in the kernel: the app backend's OAuth URL follows them too.
export { isPrivateAddress, type Resolve } from '../core/outbound-hosts.js';

export type RemoteTransport = 'http' | 'ssh';

export interface RepositoryUrl {
  /** The URL as git is given it (scp-like URLs are kept as written). */
  url: string;
  transport: RemoteTransport;
  /** Lower-case host name or IP literal, without brackets. */
  host: string;
  /** The repository path without leading slash or trailing `.git`, e.g. `acme/shop`. */
  path: string;
}

const SCP_LIKE = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?!\/\/)(.+)$/;

/** Parses and checks a repository URL; `allowHosts` are host names or IPs trusted despite the rules. */
export function parseRepositoryUrl(input: string, allowHosts: readonly string[] = []): RepositoryUrl {
  const text = input.trim();
  if (text === '' || /[\s\0]/.test(text)) throw refused(input, 'it is empty or holds spaces');
  if (text.startsWith('-')) throw refused(input, 'it starts with a dash');
  const scp = SCP_LIKE.exec(text);
  const parsed = scp ? { url: text, transport: 'ssh' as const, host: scp[2]!, path: scp[3]! } : parseUrlForm(text, input);
  const host = parsed.host.replace(/^\[|\]$/g, '').toLowerCase();
  checkHost(host, input, allowHosts);
  const path = parsed.path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  if (path === '' || path.split('/').includes('..')) throw refused(input, 'it names no repository path');
  return { url: parsed.url, transport: parsed.transport, host, path };
}

function parseUrlForm(text: string, input: string): Omit<RepositoryUrl, 'host'> & { host: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused(input, 'it is not a URL: use https://host/owner/repo.git or git@host:owner/repo.git (local paths are never fetched)');
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'https' && scheme !== 'http' && scheme !== 'ssh') {
    throw refused(input, `the ${scheme}:// transport is not allowed: use https://, http:// or ssh://`);
  }
  if (scheme !== 'ssh' && (url.username || url.password)) {
    throw refused(input, 'it holds credentials: give a token with --token-from-env instead, so it is stored sealed');
  }
  if (url.search || url.hash) throw refused(input, 'it has a query or fragment');
  return { url: url.href, transport: scheme === 'ssh' ? 'ssh' : 'http', host: url.hostname, path: decodeURIComponent(url.pathname) };
}

function checkHost(host: string, input: string, allowHosts: readonly string[]): void {
  const why = hostRefusal(host, allowHosts);
  if (why !== undefined) throw refused(input, why);
}

/**
 * Right before a fetch: every address the host resolves to must be public (or the host
 * allowed). A name that does not resolve is left for git to report.
 */
export async function assertFetchableHost(remote: RepositoryUrl, allowHosts: readonly string[], resolve: Resolve = resolveAll): Promise<void> {
  const bad = await privateResolution(remote.host, allowHosts, resolve);
  if (bad) throw new InvalidInputError(`${remote.host} resolves to ${bad}, a loopback, link-local or private address: DevFlow does not fetch from it`);
}

function refused(input: string, why: string): InvalidInputError {
  return new InvalidInputError(`repository URL "${input}" is refused: ${why}`);
}

/**
 * A repository host's API base URL (statuses and comments go there with the app's token): the
 * same rules as a repository URL's host, over http(s) only. Returned without a trailing slash.
 */
export function parseApiUrl(input: string, allowHosts: readonly string[] = []): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new InvalidInputError(`API URL "${input}" is not a URL (e.g. https://gitea.example.com/api/v1)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInputError(`API URL "${input}" must be http(s)`);
  if (url.username || url.password || url.search || url.hash) throw new InvalidInputError(`API URL "${input}" must hold no credentials, query or fragment`);
  checkHost(url.hostname.replace(/^\[|\]$/g, '').toLowerCase(), input, allowHosts);
  return url.href.replace(/\/+$/, '');
}
