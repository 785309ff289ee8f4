import { describe, expect, it } from 'vitest';
import { enabledProviders, maskSecret, mergeProvider, providerViews, type StoredProvider } from './oauth-providers.js';

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
});
