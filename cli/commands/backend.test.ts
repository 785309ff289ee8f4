import { describe, expect, it } from 'vitest';
import { clientSettings, formatBackend, parseBackendSetting } from './backend.js';

describe('devflow backend', () => {
  it('--json keeps exactly url, anonKey and serviceRoleKey', () => {
    const view = {
      app: 'shop', url: 'http://127.0.0.1:7070/backend/shop', hostUrl: 'https://shop--api.localhost:8443', anonKey: 'a',
      serviceRoleKey: 's', jwksUrl: 'j', keylessAnon: false,
      auth: { mailerAutoconfirm: true, allowAnonymousSignIns: false, disableSignup: false, siteUrl: 'x', jwtExpiry: 3600 },
      external: { github: { enabled: true, clientId: 'Iv1.abc', secret: '…wxyz', url: null }, google: { enabled: false, clientId: null, secret: null, url: null } },
    };
    expect(formatBackend(view)).toMatch(/OAuth github: +enabled, client id Iv1\.abc, secret …wxyz\n/);
    expect(formatBackend(view)).toMatch(/OAuth google: +not configured$/);
    expect(clientSettings(view)).toEqual({ url: 'http://127.0.0.1:7070/backend/shop', anonKey: 'a', serviceRoleKey: 's' });
  });

  it.each([
    [['keyless-anon=on'], { keylessAnon: true }],
    [['keyless-anon=off', 'autoconfirm=off'], { keylessAnon: false, auth: { mailerAutoconfirm: false } }],
    [['signup=off', 'anonymous-sign-ins=on'], { auth: { disableSignup: true, allowAnonymousSignIns: true } }],
    [['site-url=https://shop.example.com', 'jwt-expiry=600'], { auth: { siteUrl: 'https://shop.example.com', jwtExpiry: 600 } }],
    [['external_github_client_id=Iv1.abc', 'external_github_secret=s3cr=t', 'external_github_enabled=on'], { external: { github: { clientId: 'Iv1.abc', secret: 's3cr=t', enabled: true } } }],
    [['GOTRUE_EXTERNAL_GOOGLE_ENABLED=false', 'external_github_url=https://ghe.example.com'], { external: { google: { enabled: false }, github: { url: 'https://ghe.example.com' } } }],
  ])('backend:set %j', (pairs, expected) => {
    expect(parseBackendSetting(pairs)).toEqual(expected);
  });

  it.each([['keyless-anon'], ['keyless-anon=maybe'], ['colour=blue'], ['external_gitlab_client_id=x'], ['external_github_enabled=maybe']])('refuses %s', (pair) => {
    expect(() => parseBackendSetting([pair])).toThrow();
  });
});
