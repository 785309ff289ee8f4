import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSelfSignedWildcard, selfSignedArgs } from './self-signed.js';
import { checkCertificatePair } from './sni.js';

describe('self-signed wildcard', () => {
  it('builds openssl arguments for the wildcard and the bare domain', () => {
    const args = selfSignedArgs('localhost', 30, '/k', '/c');
    expect(args).toContain('subjectAltName=DNS:*.localhost,DNS:localhost');
    expect(args.slice(args.indexOf('-days'), args.indexOf('-days') + 2)).toEqual(['-days', '30']);
  });

  it('makes a matching certificate and key for *.<domain>', async () => {
    const pair = await makeSelfSignedWildcard('localhost', 30);
    const x509 = new X509Certificate(pair.certPem);
    expect(x509.subjectAltName).toBe('DNS:*.localhost, DNS:localhost');
    // OpenSSL (like curl and browsers) refuses a wildcard over a single-label name, so check the
    // matching on a two-label domain; `*.localhost` is for `curl -k` and local testing.
    const apps = new X509Certificate((await makeSelfSignedWildcard('apps.test', 30)).certPem);
    expect(apps.checkHost('hello.apps.test')).toBe('*.apps.test');
    expect(pair.notAfter.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(() => checkCertificatePair({ name: '*.localhost', ...pair })).not.toThrow();
  });
});
