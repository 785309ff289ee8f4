import { describe, expect, it } from 'vitest';
import { clientAddress, trustedProxies, type AddressFacts } from './client-address.js';

const proxies = trustedProxies(['10.0.0.0/8', '192.0.2.7']);

describe('clientAddress', () => {
  it.each<[string, AddressFacts, string]>([
    ['a remote peer on the path form: its socket, whatever it forwards', { peer: '198.51.100.4', local: '10.9.9.9', forwardedFor: '1.2.3.4', viaRouter: false }, '198.51.100.4'],
    ['a remote peer sending the host form straight to the API port: its socket', { peer: '198.51.100.4', local: '10.9.9.9', forwardedFor: '1.2.3.4', viaRouter: true }, '198.51.100.4'],
    ['a local script on the path form, forging the header: its socket', { peer: '127.0.0.1', local: '127.0.0.1', forwardedFor: '1.2.3.4', viaRouter: false }, '127.0.0.1'],
    ['the router (loopback, host form): the hop it appended, not the forged first one', { peer: '127.0.0.1', local: '127.0.0.1', forwardedFor: '1.2.3.4, 203.0.113.9', viaRouter: true }, '203.0.113.9'],
    ['the router on a bind address (peer = local address)', { peer: '::ffff:10.1.1.1', local: '::ffff:10.1.1.1', forwardedFor: '203.0.113.9', viaRouter: true }, '203.0.113.9'],
    ['the router without the header: its socket', { peer: '127.0.0.1', local: '127.0.0.1', forwardedFor: undefined, viaRouter: true }, '127.0.0.1'],
    ['garbage in the header is skipped', { peer: '127.0.0.1', local: '127.0.0.1', forwardedFor: '203.0.113.9, not-an-ip', viaRouter: true }, '203.0.113.9'],
    ['a trusted proxy: the hop it appended', { peer: '10.2.3.4', local: '10.9.9.9', forwardedFor: '1.2.3.4, 198.51.100.4', viaRouter: false, trusted: proxies }, '198.51.100.4'],
    ['a chain of trusted proxies: the first untrusted hop from the right', { peer: '127.0.0.1', local: '127.0.0.1', forwardedFor: '1.2.3.4, 198.51.100.4, 10.0.0.5, 192.0.2.7', viaRouter: true, trusted: proxies }, '198.51.100.4'],
    ['an untrusted peer with trusted proxies configured: its socket', { peer: '198.51.100.8', local: '10.9.9.9', forwardedFor: '1.2.3.4', viaRouter: false, trusted: proxies }, '198.51.100.8'],
    ['no peer at all', { peer: undefined, local: undefined, forwardedFor: '1.2.3.4', viaRouter: true }, 'unknown'],
  ])('%s', (_name, facts, expected) => {
    expect(clientAddress(facts)).toBe(expected);
  });
});
