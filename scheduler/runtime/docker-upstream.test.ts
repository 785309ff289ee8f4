import { describe, expect, it } from 'vitest';
import { bridgeInterfaceName, chooseUpstreamRoute, PUBLISHED, webUpstream, type EngineReach, type NetworkAddresses, type UpstreamRoute } from './docker-upstream.js';

const BRIDGE: UpstreamRoute = { kind: 'bridge', network: 'devflow-apps' };

describe('chooseUpstreamRoute', () => {
  const cases: Array<[string, EngineReach, UpstreamRoute]> = [
    ['a local engine whose bridge is an interface here: its address on the bridge', { engineIsLocal: true, bridgeInterfaceHere: true }, BRIDGE],
    ['a local socket to an engine in a VM or a namespace of its own (Docker Desktop, rootless): published', { engineIsLocal: true, bridgeInterfaceHere: false }, PUBLISHED],
    ['a remote engine (tcp, ssh): published', { engineIsLocal: false, bridgeInterfaceHere: false }, PUBLISHED],
    ['a remote engine, though an interface of the same name exists here: published', { engineIsLocal: false, bridgeInterfaceHere: true }, PUBLISHED],
  ];
  it.each(cases)('%s', (_what, reach, route) => {
    expect(chooseUpstreamRoute(reach, 'devflow-apps')).toEqual(route);
  });
});

describe('bridgeInterfaceName', () => {
  it.each([
    ['the name the network was given', { Id: 'abc', Options: { 'com.docker.network.bridge.name': 'docker0' } }, 'docker0'],
    ["the engine's rule without one", { Id: '0123456789abcdef0123', Options: {} }, 'br-0123456789ab'],
    ['the rule with no options at all', { Id: 'fedcba9876543210', Options: null }, 'br-fedcba987654'],
  ])('%s', (_what, network, name) => {
    expect(bridgeInterfaceName(network)).toBe(name);
  });
});

describe('webUpstream', () => {
  const onApps: NetworkAddresses = { 'devflow-apps': { IPAddress: '172.20.0.3' } };
  const onDefault: NetworkAddresses = { bridge: { IPAddress: '172.17.0.9' } };
  const cases: Array<[string, UpstreamRoute, number | undefined, NetworkAddresses, ReturnType<typeof webUpstream>]> = [
    ['bridge route: the address on its network, port 5000', BRIDGE, undefined, onApps, { host: '172.20.0.3', port: 5000 }],
    ['bridge route, a container of before (published, default bridge): its bridge address', BRIDGE, 49153, onDefault, { host: '172.17.0.9', port: 5000 }],
    ['bridge route, the network first when on several', BRIDGE, undefined, { ...onDefault, ...onApps }, { host: '172.20.0.3', port: 5000 }],
    ['bridge route, no address yet (not started): its published port', BRIDGE, 49153, { 'devflow-apps': { IPAddress: '' } }, { host: '127.0.0.1', port: 49153 }],
    ['bridge route, neither: none', BRIDGE, undefined, undefined, null],
    ['published route: the published port on 127.0.0.1', PUBLISHED, 32768, onDefault, { host: '127.0.0.1', port: 32768 }],
    ['published route, no published port: none, never a bridge address', PUBLISHED, undefined, onApps, null],
  ];
  it.each(cases)('%s', (_what, route, port, networks, upstream) => {
    expect(webUpstream(route, port, networks)).toEqual(upstream);
  });
});
