import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { authorizeUrl, exchangeCode, githubUser, googleUser, identityData, providerConfig, type OAuthProviderConfig } from './oauth.js';

describe('authorizeUrl', () => {
  const github: OAuthProviderConfig = { provider: 'github', clientId: 'cid', clientSecret: 's' };
  const cases: { name: string; config: OAuthProviderConfig; scopes?: string; expect: Record<string, string>; origin: string }[] = [
    { name: 'github with its default scope', config: github, origin: 'https://github.com',
      expect: { client_id: 'cid', redirect_uri: 'https://p.example/auth/v1/callback', response_type: 'code', scope: 'user:email', state: 'st' } },
    { name: 'extra scopes are added once', config: github, scopes: 'repo user:email', origin: 'https://github.com',
      expect: { scope: 'user:email repo' } },
    { name: 'google asks for openid, email and profile, and a refresh token', config: { ...github, provider: 'google' },
      origin: 'https://accounts.google.com', expect: { scope: 'openid email profile', access_type: 'offline' } },
    { name: 'a stand-in endpoint replaces the provider', origin: 'http://127.0.0.1:9',
      config: { ...github, endpoints: { authorize: 'http://127.0.0.1:9/authorize', token: '', userinfo: '' } }, expect: { client_id: 'cid' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const url = new URL(authorizeUrl(c.config, 'https://p.example/auth/v1/callback', 'st', c.scopes));
      expect(url.origin).toBe(c.origin);
      for (const [k, v] of Object.entries(c.expect)) expect(url.searchParams.get(k)).toBe(v);
    });
  }
});

describe('provider profiles', () => {
  it('github: the primary verified address, else none verified', () => {
    const profile = { id: 42, login: 'ada', name: 'Ada L', avatar_url: 'http://a/x.png', email: 'Public@Example.com' };
    expect(githubUser(profile, [{ email: 'old@example.com', verified: true, primary: false }, { email: 'Ada@Example.com', verified: true, primary: true }]))
      .toEqual({ id: '42', email: 'ada@example.com', emailVerified: true, name: 'Ada L', avatarUrl: 'http://a/x.png', userName: 'ada' });
    expect(githubUser(profile, [{ email: 'x@example.com', verified: false, primary: true }]))
      .toMatchObject({ email: 'public@example.com', emailVerified: false });
  });
  it('google: sub and email_verified from OpenID userinfo', () => {
    expect(googleUser({ sub: '1001', email: 'g@example.com', email_verified: true, name: 'G', picture: 'http://p' }))
      .toEqual({ id: '1001', email: 'g@example.com', emailVerified: true, name: 'G', avatarUrl: 'http://p' });
  });
  it('identity data in Supabase claim names, without empty fields', () => {
    expect(identityData('github', { id: '42', email: 'a@b.co', emailVerified: true, userName: 'ada' })).toEqual({
      iss: 'https://api.github.com', sub: '42', provider_id: '42', email: 'a@b.co', email_verified: true, phone_verified: false,
      user_name: 'ada', preferred_username: 'ada',
    });
  });
});

describe('providerConfig (a project\'s stored provider)', () => {
  it.each([
    ['github.com', { provider: 'github' as const, clientId: 'c', secret: 's' }, { provider: 'github', clientId: 'c', clientSecret: 's' }],
    ['a GitHub Enterprise Server: pages under its URL, the API under /api/v3', { provider: 'github' as const, clientId: 'c', secret: 's', url: 'https://ghe.example.com/' }, {
      provider: 'github', clientId: 'c', clientSecret: 's', allowHosts: [], endpoints: {
        authorize: 'https://ghe.example.com/login/oauth/authorize', token: 'https://ghe.example.com/login/oauth/access_token',
        userinfo: 'https://ghe.example.com/api/v3/user', emails: 'https://ghe.example.com/api/v3/user/emails',
      },
    }],
    ['google', { provider: 'google' as const, clientId: 'c', secret: 's' }, { provider: 'google', clientId: 'c', clientSecret: 's' }],
  ])('%s', (_name, stored, expected) => {
    expect(providerConfig(stored)).toEqual(expected);
  });
});

describe('exchangeCode with a project\'s URL (DevFlow calls it: core/outbound-hosts.ts)', () => {
  // A local stand-in for a GitHub Enterprise Server's token endpoint: GitHub cannot be reached here.
  it('calls a loopback host only while the operator allows it, and re-checks what a name resolves to', async () => {
    let calls = 0;
    const standIn = http.createServer((_req, res) => {
      calls++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'gho-token' }));
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(standIn.address() as { port: number }).port}`;
      const stored = { provider: 'github' as const, clientId: 'c', secret: 's', url };
      await expect(exchangeCode(providerConfig(stored, ['127.0.0.1']), 'code', 'https://p.example/cb')).resolves.toBe('gho-token');
      await expect(exchangeCode(providerConfig(stored, []), 'code', 'https://p.example/cb')).rejects.toThrow('127.0.0.1 is a loopback, link-local or private address: DevFlow does not call it');
      const renamed = { ...providerConfig({ ...stored, url: 'http://ghe.example.com' }, []), resolve: async () => ['169.254.169.254'] };
      await expect(exchangeCode(renamed, 'code', 'https://p.example/cb')).rejects.toThrow('ghe.example.com resolves to 169.254.169.254');
      expect(calls).toBe(1);
    } finally {
      standIn.close();
    }
  });
});
