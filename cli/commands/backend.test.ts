import { describe, expect, it } from 'vitest';
import { clientSettings, parseBackendSetting } from './backend.js';

describe('devflow backend', () => {
  it('--json keeps exactly url, anonKey and serviceRoleKey', () => {
    const view = {
      app: 'shop', url: 'http://127.0.0.1:7070/backend/shop', hostUrl: 'https://shop--api.localhost:8443', anonKey: 'a',
      serviceRoleKey: 's', jwksUrl: 'j', keylessAnon: false,
      auth: { mailerAutoconfirm: true, allowAnonymousSignIns: false, disableSignup: false, siteUrl: 'x', jwtExpiry: 3600 },
    };
    expect(clientSettings(view)).toEqual({ url: 'http://127.0.0.1:7070/backend/shop', anonKey: 'a', serviceRoleKey: 's' });
  });

  it.each([
    [['keyless-anon=on'], { keylessAnon: true }],
    [['keyless-anon=off', 'autoconfirm=off'], { keylessAnon: false, auth: { mailerAutoconfirm: false } }],
    [['signup=off', 'anonymous-sign-ins=on'], { auth: { disableSignup: true, allowAnonymousSignIns: true } }],
    [['site-url=https://shop.example.com', 'jwt-expiry=600'], { auth: { siteUrl: 'https://shop.example.com', jwtExpiry: 600 } }],
  ])('backend:set %j', (pairs, expected) => {
    expect(parseBackendSetting(pairs)).toEqual(expected);
  });

  it.each([['keyless-anon'], ['keyless-anon=maybe'], ['colour=blue']])('refuses %s', (pair) => {
    expect(() => parseBackendSetting([pair])).toThrow();
  });
});
