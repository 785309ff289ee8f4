/**
 * Which hosts DevFlow may contact on a user's behalf (issue 22's git:connect rule, issue 16's
 * OAuth provider URL): never this machine or its private networks — loopback, link-local
 * (cloud metadata endpoints), RFC 6890 special-purpose and private ranges — unless the operator
 * names the host in DEVFLOW_GIT_ALLOW_HOSTS. Otherwise a user who may only configure an app
 * could make DevFlow's own host probe internal services (server-side request forgery).
 *
 * Two checks, both pure or with the resolver passed in: the host as written (`hostRefusal`),
 * and what a name resolves to (`privateResolution`), run again right before each call because a
 * name can be pointed at 127.0.0.1 after it was accepted. The callers word the refusal.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';

/** Said in refusals so the user knows the way out is the operator's, not theirs. */
export const ALLOW_HOSTS_HINT = 'an operator allows such a host by naming it in DEVFLOW_GIT_ALLOW_HOSTS';

/**
 * Why DevFlow will not contact `host` (lower-case name or IP literal without brackets), or
 * undefined when it may: a public IP literal, a dotted name, or a host in `allowHosts`.
 */
export function hostRefusal(host: string, allowHosts: readonly string[]): string | undefined {
  if (host === '') return 'it has no host';
  if (allowHosts.includes(host)) return undefined;
  if (net.isIP(host) !== 0) return isPrivateAddress(host) ? `${host} is a loopback, link-local or private address` : undefined;
  // Names that are numbers (2130706433, 0x7f.1) reach loopback through some resolvers.
  if (/^(0x[0-9a-f]*|\d+)$/i.test(host.split('.').pop()!) || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
    return `"${host}" is not a host name`;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) return `${host} is this machine or a local network name`;
  return undefined;
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

export const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * The first loopback, link-local or private address `host` resolves to, or undefined when all
 * are public, the host is allowed, or it is an IP literal (`hostRefusal` judged those). A name
 * that does not resolve gives undefined: the call itself will fail and say so.
 */
export async function privateResolution(host: string, allowHosts: readonly string[], resolve: Resolve = resolveAll): Promise<string | undefined> {
  if (allowHosts.includes(host) || net.isIP(host) !== 0) return undefined;
  const addresses = await resolve(host).catch(() => [] as string[]);
  return addresses.find((a) => !allowHosts.includes(a) && isPrivateAddress(a));
}
