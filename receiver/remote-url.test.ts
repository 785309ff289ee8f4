import { describe, expect, it } from 'vitest';
import { assertFetchableHost, isPrivateAddress, parseRepositoryUrl } from './remote-url.js';

describe('parseRepositoryUrl', () => {
  it.each([
    ['https://github.com/acme/shop.git', 'http', 'github.com', 'acme/shop'],
    ['http://gitea.example.org/acme/shop', 'http', 'gitea.example.org', 'acme/shop'],
    ['https://gitlab.com/group/sub/shop.git/', 'http', 'gitlab.com', 'group/sub/shop'],
    ['ssh://git@github.com/acme/shop.git', 'ssh', 'github.com', 'acme/shop'],
    ['ssh://git@gitea.example.org:2222/acme/shop.git', 'ssh', 'gitea.example.org', 'acme/shop'],
    ['git@github.com:acme/shop.git', 'ssh', 'github.com', 'acme/shop'],
    ['https://8.8.8.8/acme/shop.git', 'http', '8.8.8.8', 'acme/shop'],
    ['https://[2606:4700::1111]/acme/shop.git', 'http', '2606:4700::1111', 'acme/shop'],
  ] as const)('accepts %s', (url, transport, host, path) => {
    expect(parseRepositoryUrl(url)).toMatchObject({ transport, host, path });
  });

  it.each([
    ['/srv/git/shop.git', 'not a URL'],
    ['./shop', 'not a URL'],
    ['file:///etc/passwd', 'file:// transport'],
    ['git://github.com/acme/shop.git', 'git:// transport'],
    ['ext::sh -c touch% /tmp/pwned', 'spaces'],
    ['-uhttps://github.com/a/b', 'dash'],
    ['https://127.0.0.1/acme/shop.git', 'loopback'],
    ['http://127.1.2.3:3000/acme/shop.git', 'loopback'],
    ['http://2130706433/acme/shop.git', 'loopback'], // WHATWG parsing turns it into 127.0.0.1
    ['https://localhost/acme/shop.git', 'this machine'],
    ['https://git.localhost/acme/shop.git', 'this machine'],
    ['https://gitserver/acme/shop.git', 'local network name'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://10.1.2.3/acme/shop.git', 'private'],
    ['https://172.20.0.1/acme/shop.git', 'private'],
    ['https://192.168.1.10/acme/shop.git', 'private'],
    ['https://[::1]/acme/shop.git', 'loopback'],
    ['https://[fe80::1]/acme/shop.git', 'link-local'],
    ['https://[fd00::5]/acme/shop.git', 'private'],
    ['https://[::ffff:127.0.0.1]/acme/shop.git', 'loopback'],
    ['git@127.0.0.1:acme/shop.git', 'loopback'],
    ['ssh://git@[::1]/acme/shop.git', 'loopback'],
    ['ssh://git@0x7f.1/acme/shop.git', 'not a host name'],
    ['https://user:secret@github.com/acme/shop.git', 'credentials'],
    ['https://github.com/', 'no repository path'],
    ['https://github.com/acme/shop.git?x=1', 'query'],
  ])('refuses %s (%s)', (url, why) => {
    expect(() => parseRepositoryUrl(url)).toThrow(why);
  });

  it('accepts a loopback host only when the operator allows it by name', () => {
    expect(parseRepositoryUrl('http://127.0.0.1:9418/acme/shop.git', ['127.0.0.1'])).toMatchObject({ host: '127.0.0.1' });
    expect(() => parseRepositoryUrl('http://127.0.0.1:9418/acme/shop.git', ['10.0.0.1'])).toThrow('loopback');
  });
});

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true], ['0.0.0.0', true], ['100.64.1.1', true], ['172.15.255.255', false], ['172.16.0.0', true],
    ['172.31.255.255', true], ['172.32.0.0', false], ['192.169.0.1', false], ['1.1.1.1', false], ['::1', true],
    ['2001:db8::1', false], ['fe80::abcd', true], ['febf::1', true], ['fec0::1', false], ['fc00::1', true],
  ] as const)('%s → %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe('assertFetchableHost', () => {
  const remote = parseRepositoryUrl('https://git.example.com/acme/shop.git');
  it('refuses a name that resolves to loopback at fetch time', async () => {
    await expect(assertFetchableHost(remote, [], async () => ['93.184.216.34', '127.0.0.1'])).rejects.toThrow('resolves to 127.0.0.1');
  });
  it('lets public addresses and allowed hosts through', async () => {
    await expect(assertFetchableHost(remote, [], async () => ['93.184.216.34'])).resolves.toBeUndefined();
    await expect(assertFetchableHost(remote, ['git.example.com'], async () => ['10.0.0.8'])).resolves.toBeUndefined();
  });
});
