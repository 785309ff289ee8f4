import { describe, expect, it } from 'vitest';
import { hostRefusal, isPrivateAddress, privateResolution } from './outbound-hosts.js';

describe('hostRefusal', () => {
  it.each([
    ['github.com', [], undefined],
    ['ghe.example.com', [], undefined],
    ['8.8.8.8', [], undefined],
    ['2606:4700::1111', [], undefined],
    ['', [], 'no host'],
    ['127.0.0.1', [], 'loopback'],
    ['169.254.169.254', [], 'link-local'],
    ['10.1.2.3', [], 'private'],
    ['::1', [], 'loopback'],
    ['fd00::5', [], 'private'],
    ['::ffff:7f00:1', [], 'loopback'],
    ['localhost', [], 'this machine'],
    ['api.localhost', [], 'this machine'],
    ['intranet', [], 'local network name'],
    ['0x7f.1', [], 'not a host name'],
    ['a_b.example.com', [], 'not a host name'],
    ['127.0.0.1', ['127.0.0.1'], undefined],
    ['intranet', ['intranet'], undefined],
    ['127.0.0.1', ['10.0.0.1'], 'loopback'],
  ] as const)('%s (allowed: %j) → %s', (host, allowHosts, why) => {
    const refusal = hostRefusal(host, allowHosts);
    if (why === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toContain(why);
  });
});

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true], ['0.0.0.0', true], ['100.64.1.1', true], ['169.254.169.254', true], ['192.168.1.1', true],
    ['198.18.0.1', true], ['224.0.0.1', true], ['93.184.216.34', false], ['::1', true], ['::', true],
    ['::ffff:10.0.0.1', true], ['::ffff:8.8.8.8', false], ['fe80::1', true], ['ff02::1', true], ['2001:db8::1', false],
  ] as const)('%s → %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe('privateResolution', () => {
  it.each<[string, string, string[], string[], string | undefined]>([
    ['a public name', 'ghe.example.com', [], ['93.184.216.34'], undefined],
    ['a name pointed at loopback', 'ghe.example.com', [], ['93.184.216.34', '127.0.0.1'], '127.0.0.1'],
    ['a name pointed at link-local', 'ghe.example.com', [], ['169.254.169.254'], '169.254.169.254'],
    ['an allowed name', 'ghe.example.com', ['ghe.example.com'], ['10.0.0.8'], undefined],
    ['an allowed address', 'ghe.example.com', ['10.0.0.8'], ['10.0.0.8'], undefined],
    ['an IP literal (judged as written)', '127.0.0.1', [], ['127.0.0.1'], undefined],
  ])('%s', async (_name, host, allowHosts, addresses, expected) => {
    expect(await privateResolution(host, allowHosts, async () => addresses)).toBe(expected);
  });

  it('leaves a name that does not resolve to the call itself', async () => {
    expect(await privateResolution('nowhere.example.com', [], async () => { throw new Error('ENOTFOUND'); })).toBeUndefined();
  });
});
