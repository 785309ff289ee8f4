/**
 * Where a function may connect (issue 17, "network isolation"). Supabase's Edge Functions reach
 * the internet, their project's database and their project's API; on DevFlow's host the same
 * network also holds what no function may touch: DevFlow's own API and PostgreSQL on loopback,
 * other projects' function workers, app processes and containers, the Redis add-on, and any
 * private network the host sits on. So the rule is: public addresses are open, the loopback,
 * private, link-local and shared ranges (RFC 1918, RFC 6598, RFC 3927, RFC 4193) are closed,
 * except the exact host and port pairs of the project's SUPABASE_URL and SUPABASE_DB_URL.
 *
 * Pure, and imported by both sides: the worker's guard (network-guard.ts) asks `judgeConnection`
 * before every connection, for a message that says why; the kernel's firewall (firewall.ts)
 * enforces the same ranges with the rules `firewallPlan` lists, for code that goes around Node.
 */
import net from 'node:net';

/** Ranges no function may open a connection to, unless allowed by endpoint. */
export const CLOSED_RANGES = {
  ipv4: ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/4', '240.0.0.0/4'],
  ipv6: ['::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8'],
} as const;

/** A host and port a function may reach although its address is in a closed range. */
export interface AllowedEndpoint {
  address: string;
  port: number;
  /** What it is, for messages: "SUPABASE_DB_URL". */
  what: string;
}

export type Verdict = { allowed: true } | { allowed: false; message: string };

function closedList(): net.BlockList {
  const list = new net.BlockList();
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const range of CLOSED_RANGES[family]) {
      const [address, prefix] = range.split('/') as [string, string];
      list.addSubnet(address, Number(prefix), family);
    }
  }
  return list;
}

const CLOSED = closedList();

/** `::ffff:127.0.0.1` is 127.0.0.1: a mapped address must not slip past the IPv4 ranges. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}

export function isClosedAddress(address: string): boolean {
  const ip = unmapped(address);
  const family = net.isIP(ip);
  if (family === 0) return true;
  return CLOSED.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** May a function connect to `address:port`? `address` is an IP, after name resolution. */
export function judgeConnection(allowed: readonly AllowedEndpoint[], address: string, port: number): Verdict {
  const ip = unmapped(address);
  if (!isClosedAddress(ip)) return { allowed: true };
  if (allowed.some((e) => e.address === ip && e.port === port)) return { allowed: true };
  const open = allowed.map((e) => `${e.what} (${e.address}:${e.port})`).join(', ');
  return {
    allowed: false,
    message: `functions may not connect to ${ip}:${port}: loopback and private addresses are DevFlow's and other projects'; a function reaches public addresses${open ? ` and ${open}` : ''}`,
  };
}

/**
 * The allowed endpoints of a project's URLs: only those whose host is an IP in a closed range
 * need an exception (a public host is open anyway); `localhost` is both loopback addresses.
 */
export function allowedEndpoints(urls: Record<string, string | undefined>): AllowedEndpoint[] {
  const out: AllowedEndpoint[] = [];
  for (const [what, text] of Object.entries(urls)) {
    if (!text) continue;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      continue;
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || defaultPort(url.protocol));
    const addresses = host === 'localhost' ? ['127.0.0.1', '::1'] : net.isIP(host) ? [host] : [];
    for (const address of addresses) if (isClosedAddress(address)) out.push({ address, port, what });
  }
  return out;
}

function defaultPort(protocol: string): number {
  return ({ 'https:': 443, 'postgres:': 5432, 'postgresql:': 5432 } as Record<string, number>)[protocol] ?? 80;
}

/** The firewall chain every worker's packets pass (by the worker user's uid). */
export const CHAIN = 'DEVFLOW-FUNCTIONS';

export interface FirewallPlan {
  /** Rules to hold once, whatever DevFlow runs: the jump, answers to accepted connections, the closed ranges. */
  base: string[][];
  /** One rule per allowed endpoint of this DevFlow, placed before the closed ranges and removed at close. */
  allow: string[][];
}

/** The `nameserver` lines of resolv.conf(5): name resolution must reach them, wherever they are. */
export function nameserversOf(resolvConf: string): string[] {
  return [...resolvConf.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!.replace(/%.*$/, '')).filter((a) => net.isIP(a) !== 0);
}

/**
 * iptables (or ip6tables) rule specifications, without the `-A`/`-I` verb and chain, in the
 * order they must sit. Replies on connections DevFlow opened to a worker pass (conntrack
 * ESTABLISHED): only new connections from a worker are judged. The host's resolvers are allowed
 * on port 53, as a function resolves names through them (often on a private address). TCP is
 * refused with a reset, so a caller sees ECONNREFUSED at once rather than a timeout.
 */
export function firewallPlan(family: 'ipv4' | 'ipv6', allowed: readonly AllowedEndpoint[], nameservers: readonly string[] = []): FirewallPlan {
  const ofFamily = (address: string) => (net.isIP(address) === 4) === (family === 'ipv4');
  const own = allowed.filter((e) => ofFamily(e.address));
  const base = [['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN']];
  for (const range of CLOSED_RANGES[family]) {
    base.push(['-p', 'tcp', '-d', range, '-j', 'REJECT', '--reject-with', 'tcp-reset']);
    base.push(['-d', range, '-j', 'REJECT']);
  }
  const allow = own.map((e) => ['-p', 'tcp', '-d', e.address, '--dport', String(e.port), '-j', 'RETURN']);
  for (const server of nameservers.filter(ofFamily)) {
    for (const protocol of ['udp', 'tcp']) allow.push(['-p', protocol, '-d', server, '--dport', '53', '-j', 'RETURN']);
  }
  return { base, allow };
}
