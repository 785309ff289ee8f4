import { describe, expect, it } from 'vitest';
import { selectCertificateName } from './sni.js';

const names = new Set(['shop.example.com', '*.example.com', '*.localhost', '*.tenants.example.com']);

describe('selectCertificateName', () => {
  it.each([
    ['shop.example.com', 'shop.example.com'],
    ['SHOP.Example.com.', 'shop.example.com'],
    ['www.example.com', '*.example.com'],
    ['a.tenants.example.com', '*.tenants.example.com'],
    ['hello.localhost', '*.localhost'],
    // A wildcard covers one label only; deeper names fall back.
    ['a.b.localhost', '*.localhost'],
    ['a.b.example.com', '*.localhost'],
    ['example.com', '*.localhost'],
    ['unknown.test', '*.localhost'],
    [undefined, '*.localhost'],
    ['', '*.localhost'],
  ])('%s → %s', (servername, expected) => {
    expect(selectCertificateName(names, servername, '*.localhost')).toBe(expected);
  });

  it('returns nothing when no name matches and there is no fallback', () => {
    expect(selectCertificateName(names, 'unknown.test', undefined)).toBeUndefined();
    expect(selectCertificateName(names, 'unknown.test', '*.missing')).toBeUndefined();
  });
});
