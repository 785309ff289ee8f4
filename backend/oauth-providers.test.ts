import { describe, expect, it } from 'vitest';
import { checkProviderUrlResolves, enabledProviders, maskSecret, mergeProvider, providerViews, type StoredProvider } from './oauth-providers.js';

const github: StoredProvider = { provider: 'github', enabled: true, clientId: 'Iv1.a', secret: 'secret-0123456789' };

describe('OAuth provider settings', () => {
  it.each<[string, StoredProvider | undefined, Parameters<typeof mergeProvider>[2], StoredProvider]>([
    ['a new provider is enabled with its id and secret', undefined, { clientId: 'Iv1.a', secret: 's' }, { provider: 'github', enabled: true, clientId: 'Iv1.a', secret: 's' }],
    ['a change keeps what it leaves out', github, { enabled: false }, { ...github, enabled: false }],
    ['a new secret replaces the old', github, { secret: 'other' }, { ...github, secret: 'other' }],
    ['a URL is set, and null removes it', { ...github, url: 'https://ghe.example.com' }, { url: null }, github],
    ['a disabled provider may lack a secret', undefined, { enabled: false, clientId: 'x' }, { provider: 'github', enabled: false, clientId: 'x', secret: '' }],
  ])('%s', (_name, stored, change, expected) => {
    expect(mergeProvider('github', stored, change)).toEqual(expected);
  });

  it('refuses an enabled provider without a client id or a secret, and a URL for Google', () => {
    expect(() => mergeProvider('github', undefined, { clientId: 'x' })).toThrow('needs a client id and a secret');
    expect(() => mergeProvider('google', undefined, { clientId: 'x', secret: 'y', url: 'https://g.example.com' })).toThrow('only github takes a url');
  });

  it('shows secrets masked, and offers only enabled, complete providers', () => {
    expect(maskSecret('secret-0123456789')).toBe('…6789');
    expect(maskSecret('short')).toBe('…');
    const google: StoredProvider = { provider: 'google', enabled: false, clientId: 'g', secret: 'google-secret-000' };
    expect(providerViews([github, google])).toEqual({
      github: { enabled: true, clientId: 'Iv1.a', secret: '…6789', url: null },
      google: { enabled: false, clientId: 'g', secret: '…-000', url: null },
    });
    expect(enabledProviders([github, google])).toEqual([{ provider: 'github', clientId: 'Iv1.a', secret: 'secret-0123456789' }]);
  });

  // DevFlow calls the URL itself (the token exchange), so it follows core/outbound-hosts.ts.
  it.each<[string, string, string[], string | undefined]>([
    ['a public GitHub Enterprise Server', 'https://ghe.example.com', [], undefined],
    ['a public IP', 'http://93.184.216.34:8080/', [], undefined],
    ['loopback', 'http://127.0.0.1:9000', [], 'loopback'],
    ['loopback, allowed by the operator', 'http://127.0.0.1:9000', ['127.0.0.1'], undefined],
    ['a cloud metadata address', 'http://169.254.169.254/latest', [], 'link-local'],
    ['a private range', 'https://10.0.0.8', [], 'private'],
    ['IPv6 loopback', 'http://[::1]:9000', [], 'loopback'],
    ['localhost', 'http://localhost:9000', [], 'this machine'],
    ['a bare intranet name', 'https://ghe', [], 'local network name'],
    ['a number that is loopback', 'http://2130706433', [], 'loopback'],
    ['another scheme', 'file:///etc/passwd', [], 'must be http(s)'],
    ['credentials in it', 'https://u:p@ghe.example.com', [], 'no credentials'],
    ['not a URL', 'ghe.example.com', [], 'not a URL'],
  ])('a github url: %s', (_name, url, allowHosts, refused) => {
    const merge = () => mergeProvider('github', github, { url }, allowHosts);
    if (refused === undefined) expect(merge().url).toBe(url);
    else expect(merge).toThrow(refused);
  });

  it('says how an operator allows a private host, and keeps a stored URL when the change leaves it out', () => {
    expect(() => mergeProvider('github', github, { url: 'http://127.0.0.1:9000' })).toThrow('an operator allows such a host by naming it in DEVFLOW_GIT_ALLOW_HOSTS');
    expect(mergeProvider('github', { ...github, url: 'http://127.0.0.1:9000' }, { enabled: false }, [])).toMatchObject({ url: 'http://127.0.0.1:9000' });
  });

  it.each<[string, string[], string[], string | undefined]>([
    ['a name resolving to public addresses', [], ['93.184.216.34'], undefined],
    ['a name resolving to loopback', [], ['93.184.216.34', '127.0.0.1'], 'resolves to 127.0.0.1'],
    ['a name resolving to the metadata address', [], ['169.254.169.254'], 'resolves to 169.254.169.254'],
    ['an allowed name resolving to a private address', ['ghe.example.com'], ['10.0.0.8'], undefined],
  ])('at save time, %s', async (_name, allowHosts, addresses, refused) => {
    const check = checkProviderUrlResolves('https://ghe.example.com', allowHosts, async () => addresses);
    if (refused === undefined) await expect(check).resolves.toBeUndefined();
    else await expect(check).rejects.toThrow(refused);
  });
});
