import { describe, expect, it } from 'vitest';
import { processUrls, publicUrl, resolveBackendTarget } from './urls.js';

describe('resolveBackendTarget', () => {
  // name, Host, URL, DevFlow's domain, expected
  const cases: Array<[string, string | undefined, string, string, ReturnType<typeof resolveBackendTarget>]> = [
    ['host form', 'shop--api.localhost:8443', '/rest/v1/todos?select=id', 'localhost', { project: 'shop', path: '/rest/v1/todos?select=id', form: 'host' }],
    ['host form, upper case and trailing dot', 'Shop--API.localhost.', '/auth/v1/health', 'localhost', { project: 'shop', path: '/auth/v1/health', form: 'host' }],
    ['a preview project by host', 'pv-0123456789ab--api.example.com', '/rest/v1/', 'example.com', { project: 'pv-0123456789ab', path: '/rest/v1/', form: 'host' }],
    ['path form', '127.0.0.1:7070', '/backend/shop/rest/v1/todos', 'localhost', { project: 'shop', path: '/rest/v1/todos', form: 'path' }],
    ['path form, nothing after the project', 'localhost:7070', '/backend/shop', 'localhost', { project: 'shop', path: '/', form: 'path' }],
    ['path form, a query right after the project', 'localhost:7070', '/backend/shop?x=1', 'localhost', { project: 'shop', path: '/?x=1', form: 'path' }],
    ['the app itself is not the backend', 'shop.localhost:8080', '/rest/v1/todos', 'localhost', undefined],
    ['a preview host of the app is not the backend', 'feature.shop.localhost', '/rest/v1/todos', 'localhost', undefined],
    ['two labels before the suffix', 'a.shop--api.localhost', '/rest/v1/', 'localhost', undefined],
    ['another domain', 'shop--api.example.com', '/rest/v1/', 'localhost', undefined],
    ['a name with a double dash', 'localhost', '/backend/a--b/rest/v1', 'localhost', undefined],
    ['an invalid project in the path', 'localhost', '/backend/..%2f/rest/v1', 'localhost', undefined],
    ['the API', 'localhost:7070', '/api/v1/apps', 'localhost', undefined],
    ['git', 'localhost:7070', '/shop.git/info/refs', 'localhost', undefined],
  ];
  it.each(cases)('%s', (_name, host, url, domain, expected) => {
    expect(resolveBackendTarget(host, url, domain)).toEqual(expected);
  });
});

describe('URLs', () => {
  const local = { domain: 'localhost', apiPort: 7070, httpsPort: 8443 };
  const pub = { domain: 'apps.example.com', apiPort: 7070, httpsPort: 443 };
  it('prints the path form on a localhost domain (Node cannot resolve *.localhost) and the host form on a public one', () => {
    expect(publicUrl('shop', local)).toBe('http://127.0.0.1:7070/backend/shop');
    expect(publicUrl('shop', pub)).toBe('https://shop--api.apps.example.com');
  });
  it('gives processes the address their runtime reaches DevFlow by; browsers get the public form on a public domain', () => {
    expect(processUrls('shop', local, '172.17.0.1')).toEqual({
      server: 'http://172.17.0.1:7070/backend/shop', browser: 'http://172.17.0.1:7070/backend/shop',
    });
    expect(processUrls('shop', pub, '127.0.0.1')).toEqual({
      server: 'http://127.0.0.1:7070/backend/shop', browser: 'https://shop--api.apps.example.com',
    });
  });
});
