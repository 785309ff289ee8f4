/**
 * The kernel's half of functions' network isolation (network-policy.ts says what and why).
 * Workers run as their own user (worker-user.ts), and netfilter's owner match sends every packet
 * of that user through one chain: a worker whose code goes around Node's `net` (a raw handle)
 * still cannot open a connection to a closed range. Rules are added with iptables/ip6tables
 * (argument arrays, `-w` to wait for the xtables lock that Docker also takes), each only when
 * `-C` does not find it, so DevFlows sharing one host (tests do) add their own endpoints and
 * share the rest. `close` removes this DevFlow's endpoints; the closed ranges stay, which only
 * ever refuses the workers' user.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { CHAIN, firewallPlan, nameserversOf, type AllowedEndpoint } from './network-policy.js';

const run = promisify(execFile);

const TOOLS = { ipv4: 'iptables', ipv6: 'ip6tables' } as const;

async function succeeds(tool: string, args: string[]): Promise<boolean> {
  return run(tool, ['-w', ...args]).then(() => true, () => false);
}

async function ensure(tool: string, chain: string, rule: string[], insertAt?: number): Promise<void> {
  if (await succeeds(tool, ['-C', chain, ...rule])) return;
  const verb = insertAt === undefined ? ['-A', chain] : ['-I', chain, String(insertAt)];
  await run(tool, ['-w', ...verb, ...rule]);
}

export interface Firewall {
  close(): Promise<void>;
}

/**
 * Holds the rules for `uid`'s packets; rejects (with iptables' own message) when the tools are
 * missing or DevFlow may not change the firewall: the caller decides what that means.
 */
export async function applyFirewall(uid: number, allowed: readonly AllowedEndpoint[]): Promise<Firewall> {
  const added: { tool: string; rule: string[] }[] = [];
  const nameservers = nameserversOf(await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
  // Each DevFlow's endpoint rules carry its own mark, so one closing never removes another's.
  const mark = ['-m', 'comment', '--comment', `devflow-${process.pid}-${randomBytes(4).toString('hex')}`];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const tool = TOOLS[family];
    const plan = firewallPlan(family, allowed, nameservers);
    try {
      await succeeds(tool, ['-N', CHAIN]);
      // The answers rule first, the closed ranges after it; allowed endpoints go between them.
      for (const rule of plan.base) await ensure(tool, CHAIN, rule);
      for (const allow of plan.allow) {
        const rule = [...allow.slice(0, -2), ...mark, ...allow.slice(-2)];
        await ensure(tool, CHAIN, rule, 2);
        added.push({ tool, rule });
      }
      await ensure(tool, 'OUTPUT', ['-m', 'owner', '--uid-owner', String(uid), '-j', CHAIN], 1);
    } catch (err) {
      // A host without IPv6 filtering still gets its IPv4 rules; IPv4 itself is required.
      if (family === 'ipv4') throw err;
    }
  }
  return {
    async close() {
      for (const { tool, rule } of added) await succeeds(tool, ['-D', CHAIN, ...rule]);
    },
  };
}
