/**
 * Which address a backend request comes from, for Auth's per-IP rate limits. X-Forwarded-For is
 * written by whoever sends the request, so only the entries a proxy we trust appended count
 * (MDN "X-Forwarded-For", security and privacy concerns: take the rightmost entries, as many as
 * there are trusted proxies). The proxies trusted are DevFlow's own router, which appends the
 * address it saw last (router/headers.ts) and forwards only the host form (`<project>--api.<domain>`)
 * from this machine, and the operator's DEVFLOW_TRUSTED_PROXIES. Anything else is its socket's peer.
 */
import net from 'node:net';

export interface AddressFacts {
  /** The socket's peer and the local address it reached (same machine: the same address, or loopback). */
  peer: string | undefined;
  local: string | undefined;
  forwardedFor: string | string[] | undefined;
  /** The request named its project by host: the router's route, not the path form on the API port. */
  viaRouter: boolean;
  /** DEVFLOW_TRUSTED_PROXIES as a block list (trustedProxies()); none when undefined. */
  trusted?: net.BlockList;
}

/** An IPv4 address in IPv6 form (`::ffff:127.0.0.1`, what a dual-stack server sees) as IPv4. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function isLoopback(address: string): boolean {
  return address === '::1' || (net.isIPv4(address) && address.startsWith('127.'));
}

function isTrusted(list: net.BlockList | undefined, address: string): boolean {
  if (list === undefined) return false;
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  return family !== undefined && list.check(address, family);
}

export function clientAddress(facts: AddressFacts): string {
  const peer = facts.peer === undefined ? undefined : plain(facts.peer);
  if (peer === undefined) return 'unknown';
  const local = facts.local === undefined ? undefined : plain(facts.local);
  const fromRouter = facts.viaRouter && (isLoopback(peer) || peer === local);
  if (!fromRouter && !isTrusted(facts.trusted, peer)) return peer;
  const header = Array.isArray(facts.forwardedFor) ? facts.forwardedFor.join(',') : facts.forwardedFor ?? '';
  const hops = header.split(',').map((hop) => plain(hop.trim())).filter((hop) => net.isIP(hop) !== 0);
  // The last hop is the one our proxy appended; walk left only past proxies the operator trusts.
  for (let i = hops.length - 1; i >= 0; i--) {
    if (i === 0 || !isTrusted(facts.trusted, hops[i]!)) return hops[i]!;
  }
  return peer;
}

/** DEVFLOW_TRUSTED_PROXIES (addresses and CIDR blocks, checked by core/settings.ts) as a block list. */
export function trustedProxies(entries: readonly string[]): net.BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = net.isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}
