import { describe, expect, it } from 'vitest';
import {
  DOCKER_DEFAULT_POOL,
  bridgeAccessFromNetworks,
  defaultBridgeGateway,
  engineBridgeAccess,
  hbaWithBridgeBlock,
  networkOf,
  type EngineNetwork,
} from './docker-bridge.js';

function net(Name: string, Driver: string, Subnet?: string, Gateway?: string): EngineNetwork {
  return { Name, Driver, IPAM: { Config: Subnet ? [{ Subnet, ...(Gateway ? { Gateway } : {}) }] : [] } };
}

describe('docker bridge access for the embedded PostgreSQL', () => {
  it.each([
    ['172.17.0.1/16', '172.17.0.0/16'],
    ['172.18.5.9/20', '172.18.0.0/20'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.168.1.7/32', '192.168.1.7/32'],
  ])('networkOf(%s) = %s', (cidr, network) => {
    expect(networkOf(cidr)).toBe(network);
  });

  it.each([
    ['the IPAM gateway', [net('bridge', 'bridge', '10.10.0.0/24', '10.10.0.5')], '10.10.0.5'],
    ["the subnet's first address", [net('bridge', 'bridge', '172.17.0.0/16')], '172.17.0.1'],
    ['nothing without a bridge network', [net('host', 'host')], undefined],
  ])('the default bridge gateway is %s', (_what, networks, gateway) => {
    expect(defaultBridgeGateway(networks)).toBe(gateway);
  });

  it('listens on the default bridge and admits every bridge subnet, not overlay, host or IPv6 ones', () => {
    const access = bridgeAccessFromNetworks([
      net('bridge', 'bridge', '172.17.0.0/16'),
      net('docker_gwbridge', 'bridge', '172.18.0.0/16', '172.18.0.1'),
      net('mynet', 'bridge', '192.168.16.0/20'),
      net('v6', 'bridge', 'fd00:1::/64'),
      net('ingress', 'overlay', '10.0.0.0/24'),
      net('host', 'host'),
    ]);
    expect(access.listen).toEqual(['172.17.0.1']);
    expect(access.subnets).toEqual(['172.17.0.0/16', '172.18.0.0/16', '192.168.16.0/20', DOCKER_DEFAULT_POOL]);
  });

  it('without Docker, nothing more is opened', async () => {
    expect(bridgeAccessFromNetworks([])).toEqual({ listen: [], subnets: [] });
    const Docker = (await import('dockerode')).default;
    const nowhere = new Docker({ socketPath: '/nonexistent/docker.sock' });
    expect(await engineBridgeAccess(nowhere)).toEqual({ listen: [], subnets: [] });
  });

  it("rewrites only DevFlow's block of pg_hba.conf, idempotently", () => {
    const original = 'local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n';
    const once = hbaWithBridgeBlock(original, ['172.17.0.0/16']);
    expect(once).toContain('host all all 172.17.0.0/16 scram-sha-256');
    expect(once.startsWith(original)).toBe(true);
    expect(hbaWithBridgeBlock(once, ['172.17.0.0/16'])).toBe(once);
    const changed = hbaWithBridgeBlock(once, ['172.18.0.0/16']);
    expect(changed).not.toContain('172.17.0.0/16');
    expect(hbaWithBridgeBlock(changed, [])).toBe(original);
  });
});
