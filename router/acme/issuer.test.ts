import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPebble, type Pebble } from '../../tests/support/pebble.js';
import { AcmeChallenges } from './challenges.js';
import { issueCertificate, newAccountKey, type AcmeAccount, type AcmeSettings } from './issuer.js';

describe('issueCertificate against pebble', () => {
  const challenges = new AcmeChallenges();
  const seen: string[] = [];
  let server: http.Server;
  let pebble: Pebble;
  let settings: AcmeSettings;
  let account: AcmeAccount;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.headers.host} ${req.url}`);
      const keyAuthorization = challenges.lookup(req.url);
      if (keyAuthorization === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(keyAuthorization);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    pebble = await startPebble({ httpPort: (server.address() as AddressInfo).port });
    settings = { directoryUrl: pebble.directoryUrl, email: 'ops@example.com', caPem: pebble.caPem };
    account = { keyPem: await newAccountKey(), accountUrl: undefined };
  }, 60_000);

  afterAll(async () => {
    await pebble?.stop();
    server?.close();
  });

  it('answers HTTP-01 and returns a certificate for the name, chained to pebble', async () => {
    const result = await issueCertificate({ settings, account, domain: 'shop.example.com', challenges });
    const leaf = new X509Certificate(result.certPem);
    expect(leaf.subjectAltName).toBe('DNS:shop.example.com');
    expect(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(result.keyPem))).toBe(true);
    expect(result.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(result.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(seen.some((line) => line.startsWith('shop.example.com') && line.includes('/.well-known/acme-challenge/'))).toBe(true);
    expect(challenges.size).toBe(0);
    // Reuses the account on the next order.
    const again = await issueCertificate({ settings, account: { ...account, accountUrl: result.accountUrl }, domain: 'www.example.com', challenges });
    expect(new X509Certificate(again.certPem).subjectAltName).toBe('DNS:www.example.com');
  }, 60_000);

  it('fails with the ACME server reason when the challenge cannot be reached', async () => {
    await pebble.setAddress('nowhere.example.com', '127.0.0.2');
    server.close();
    await expect(issueCertificate({ settings, account, domain: 'nowhere.example.com', challenges })).rejects.toThrow(
      /connection refused|connect/i,
    );
  }, 60_000);
});
