import { describe, expect, it } from 'vitest';
import { LETS_ENCRYPT_PRODUCTION } from './acme/issuer.js';
import { routerSettingsFromEnv } from './settings.js';

const files: Record<string, string> = { '/ca.pem': 'CA', '/c.pem': 'CERT', '/k.pem': 'KEY' };
const read = (file: string) => {
  const text = files[file];
  if (text === undefined) throw new Error(`ENOENT ${file}`);
  return text;
};

describe('routerSettingsFromEnv', () => {
  it('defaults: Let\'s Encrypt production, no redirect, token-protected metrics', () => {
    expect(routerSettingsFromEnv({}, read)).toEqual({
      acme: { directoryUrl: LETS_ENCRYPT_PRODUCTION, email: undefined, caPem: undefined },
      operatorCertificate: undefined,
      httpsRedirectAll: false,
      metricsAccess: 'token',
    });
  });

  it('reads every setting', () => {
    const settings = routerSettingsFromEnv({
      DEVFLOW_ACME_DIRECTORY: 'https://127.0.0.1:14000/dir', DEVFLOW_ACME_EMAIL: 'ops@example.com', DEVFLOW_ACME_CA_FILE: '/ca.pem',
      DEVFLOW_TLS_CERT_FILE: '/c.pem', DEVFLOW_TLS_KEY_FILE: '/k.pem', DEVFLOW_HTTPS_REDIRECT: 'on', DEVFLOW_METRICS: 'public-loopback',
    }, read);
    expect(settings).toEqual({
      acme: { directoryUrl: 'https://127.0.0.1:14000/dir', email: 'ops@example.com', caPem: 'CA' },
      operatorCertificate: { certPem: 'CERT', keyPem: 'KEY' },
      httpsRedirectAll: true,
      metricsAccess: 'public-loopback',
    });
  });

  it.each([
    [{ DEVFLOW_TLS_CERT_FILE: '/c.pem' }, /both DEVFLOW_TLS_CERT_FILE and DEVFLOW_TLS_KEY_FILE/],
    [{ DEVFLOW_HTTPS_REDIRECT: 'maybe' }, /DEVFLOW_HTTPS_REDIRECT="maybe" is not on or off/],
    [{ DEVFLOW_METRICS: 'public' }, /DEVFLOW_METRICS="public" is unknown/],
  ])('refuses %j', (env, message) => {
    expect(() => routerSettingsFromEnv(env, read)).toThrow(message);
  });
});
