import { describe, expect, it } from 'vitest';
import { allowedEndpoints, firewallPlan, judgeConnection, nameserversOf } from './network-policy.js';

const allowed = allowedEndpoints({
  SUPABASE_URL: 'http://127.0.0.1:7070/backend/shop',
  SUPABASE_DB_URL: 'postgres://app_shop:pw@127.0.0.1:55432/app_shop_1a2b',
});

describe("a function's connections", () => {
  it.each([
    ['93.184.216.34', 443, true],
    ['2606:4700::1111', 443, true],
    ['127.0.0.1', 7070, true],
    ['127.0.0.1', 55432, true],
    ['127.0.0.1', 6379, false],
    ['127.0.0.2', 7070, false],
    ['::ffff:127.0.0.1', 6379, false],
    ['::ffff:127.0.0.1', 55432, true],
    ['::1', 7070, false],
    ['10.1.2.3', 80, false],
    ['172.17.0.1', 5432, false],
    ['192.168.1.1', 80, false],
    ['169.254.169.254', 80, false],
    ['100.64.0.1', 80, false],
    ['0.0.0.0', 7070, false],
    ['fd00::1', 80, false],
    ['fe80::1', 80, false],
    ['not-an-ip', 80, false],
  ] as const)('%s:%d allowed: %s', (address, port, expected) => {
    expect(judgeConnection(allowed, address, port).allowed).toBe(expected);
  });

  it('says why a connection is refused and what is open', () => {
    expect(judgeConnection(allowed, '127.0.0.1', 6379)).toEqual({
      allowed: false,
      message: "functions may not connect to 127.0.0.1:6379: loopback and private addresses are DevFlow's and other projects'; a function reaches public addresses and SUPABASE_URL (127.0.0.1:7070), SUPABASE_DB_URL (127.0.0.1:55432)",
    });
  });
});

describe('allowed endpoints from URLs', () => {
  it.each([
    [{ SUPABASE_URL: 'http://127.0.0.1:7070/backend/shop' }, [{ address: '127.0.0.1', port: 7070, what: 'SUPABASE_URL' }]],
    [{ SUPABASE_URL: 'https://shop--api.example.com' }, []],
    [{ SUPABASE_URL: 'http://localhost/x' }, [{ address: '127.0.0.1', port: 80, what: 'SUPABASE_URL' }, { address: '::1', port: 80, what: 'SUPABASE_URL' }]],
    [{ SUPABASE_DB_URL: 'postgres://u:p@[::1]/d' }, [{ address: '::1', port: 5432, what: 'SUPABASE_DB_URL' }]],
    [{ SUPABASE_DB_URL: 'postgres://u:p@172.17.0.1:5433/d' }, [{ address: '172.17.0.1', port: 5433, what: 'SUPABASE_DB_URL' }]],
    [{ SUPABASE_DB_URL: undefined, SUPABASE_URL: 'not a url' }, []],
  ])('%o', (urls, expected) => {
    expect(allowedEndpoints(urls)).toEqual(expected);
  });
});

describe('the firewall plan', () => {
  it('lets answers pass, then allowed endpoints of its family, then refuses the closed ranges', () => {
    const v4 = firewallPlan('ipv4', allowed);
    expect(v4.base[0]).toEqual(['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN']);
    expect(v4.base).toContainEqual(['-p', 'tcp', '-d', '127.0.0.0/8', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
    expect(v4.base).toContainEqual(['-d', '172.16.0.0/12', '-j', 'REJECT']);
    expect(v4.allow).toEqual([
      ['-p', 'tcp', '-d', '127.0.0.1', '--dport', '7070', '-j', 'RETURN'],
      ['-p', 'tcp', '-d', '127.0.0.1', '--dport', '55432', '-j', 'RETURN'],
    ]);
    const v6 = firewallPlan('ipv6', allowed);
    expect(v6.allow).toEqual([]);
    expect(v6.base).toContainEqual(['-d', '::1/128', '-j', 'REJECT']);
  });
});

describe("the host's resolvers", () => {
  it('are read from resolv.conf and allowed on port 53 in their family only', () => {
    const servers = nameserversOf('# comment\nnameserver 10.255.255.53\nsearch lan\n nameserver fe80::1%eth0\nnameserver bogus\n');
    expect(servers).toEqual(['10.255.255.53', 'fe80::1']);
    expect(firewallPlan('ipv4', [], servers).allow).toEqual([
      ['-p', 'udp', '-d', '10.255.255.53', '--dport', '53', '-j', 'RETURN'],
      ['-p', 'tcp', '-d', '10.255.255.53', '--dport', '53', '-j', 'RETURN'],
    ]);
    expect(firewallPlan('ipv6', [], servers).allow).toHaveLength(2);
  });
});
