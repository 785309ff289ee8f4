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
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { InvalidInputError } from '../core/errors.js';

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
  if (host === '') throw refused(input, 'it has no host');
  if (allowHosts.includes(host)) return;
  if (net.isIP(host) !== 0) {
    if (isPrivateAddress(host)) throw refused(input, `${host} is a loopback, link-local or private address`);
    return;
  }
  // Names that are numbers (2130706433, 0x7f.1) reach loopback through some resolvers.
  if (/^(0x[0-9a-f]*|\d+)$/i.test(host.split('.').pop()!) || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
    throw refused(input, `"${host}" is not a host name`);
  }
  if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
    throw refused(input, `${host} is this machine or a local network name`);
  }
}

/** IPv4 ranges (RFC 6890 special-purpose) that lead back into the machine or its networks. */
const PRIVATE_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

export function isPrivateAddress(ip: string): boolean {
  if (net.isIPv4(ip)) return PRIVATE_V4.some(([base, bits]) => inV4Range(ip, base, bits));
  const v6 = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mapped) return isPrivateAddress(mapped[1]!);
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mappedHex) {
    const [high, low] = [parseInt(mappedHex[1]!, 16), parseInt(mappedHex[2]!, 16)];
    return isPrivateAddress([high >> 8, high & 255, low >> 8, low & 255].join('.'));
  }
  if (v6 === '::' || v6 === '::1') return true;
  const first = parseInt(expandV6(v6).slice(0, 4), 16);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast.
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}

function inV4Range(ip: string, base: string, bits: number): boolean {
  const toInt = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
  return (toInt(ip) & mask) >>> 0 === (toInt(base) & mask) >>> 0;
}

function expandV6(ip: string): string {
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.map((g) => g.padStart(4, '0')).join('');
}

export type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Right before a fetch: every address the host resolves to must be public (or the host
 * allowed). A name that does not resolve is left for git to report.
 */
export async function assertFetchableHost(remote: RepositoryUrl, allowHosts: readonly string[], resolve: Resolve = resolveAll): Promise<void> {
  if (allowHosts.includes(remote.host) || net.isIP(remote.host) !== 0) return;
  const addresses = await resolve(remote.host).catch(() => [] as string[]);
  const bad = addresses.find((a) => !allowHosts.includes(a) && isPrivateAddress(a));
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
