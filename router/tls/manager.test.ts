import { X509Certificate, randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, parseDomainName } from '../../core/names.js';
import type { SecretKey } from '../../core/secrets.js';
import { createApp } from '../../core/store/apps.js';
import { findCertificate } from '../../core/store/certificates.js';
import { addDomain, listDomains, removeDomain } from '../../core/store/domains.js';
import { startPebble, type Pebble } from '../../tests/support/pebble.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { AcmeChallenges } from '../acme/challenges.js';
import { startNamedUpstream, type TestServer } from '../fixtures.js';
import { EmbeddedProxy } from '../proxy.js';
import { buildRoutingTable } from '../table.js';
import { CertificateManager } from './manager.js';

const DAY = 86_400_000;

/** A TLS handshake with SNI; the certificate chain is checked against `ca` when given. */
function handshake(port: number, servername: string, ca?: string): Promise<{ cert: tls.PeerCertificate; authorized: boolean; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      socket.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
    });
    let body = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (body += d));
    socket.on('end', () => resolve({ cert: socket.getPeerCertificate(), authorized: socket.authorized, body }));
    socket.on('error', reject);
  });
}

describe('CertificateManager with pebble, Postgres and the embedded proxy', () => {
  const challenges = new AcmeChallenges();
  const logs: string[] = [];
  let db: TestDatabase;
  let pebble: Pebble;
  let proxy: EmbeddedProxy;
  let app: TestServer;
  let httpsPort: number;
  let manager: CertificateManager;
  let clock = new Date();
  let appId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startNamedUpstream('hello from shop');
    proxy = new EmbeddedProxy({ challenges });
    const httpPort = await proxy.listen(0, '127.0.0.1');
    httpsPort = await proxy.listenHttps(0, '127.0.0.1');
    proxy.setTable(buildRoutingTable({ domain: 'localhost', apps: [{ name: 'shop', upstreams: [app.upstream], customDomains: ['shop.example.com'] }] }));
    pebble = await startPebble({ httpPort });
    appId = (await createApp(db.sql, parseAppName('shop'))).id;
    manager = new CertificateManager({
      sql: db.sql,
      key: randomBytes(32) as SecretKey,
      domain: 'localhost',
      acme: { directoryUrl: pebble.directoryUrl, email: undefined, caPem: pebble.caPem },
      challenges,
      publish: (certs, fallback) => void proxy.setCertificates(certs, fallback),
      log: (line) => logs.push(line),
      now: () => clock,
    });
    await manager.start();
  }, 120_000);

  afterAll(async () => {
    await manager?.close();
    await proxy?.close();
    await app?.close();
    await pebble?.stop();
    await db?.drop();
  });

  it('serves the self-signed platform wildcard from the first start', async () => {
    const { cert } = await handshake(httpsPort, 'shop.localhost');
    expect(cert.subjectaltname).toBe('DNS:*.localhost, DNS:localhost');
    const stored = await findCertificate(db.sql, '*.localhost');
    expect(stored).toMatchObject({ source: 'self-signed', state: 'issued' });
    expect(stored?.keySealed).toMatch(/^v1:/);
    expect(stored?.keySealed).not.toContain('PRIVATE KEY');
  });

  it('issues a certificate for a new domain and serves it with the app', async () => {
    await addDomain(db.sql, appId, parseDomainName('shop.example.com'));
    await manager.poke();
    const [domain] = await listDomains(db.sql, appId);
    expect(domain?.certificate).toMatchObject({ state: 'issued', reason: null });
    const root = await pebble.issuingRoot();
    const res = await handshake(httpsPort, 'shop.example.com', root);
    expect(res.cert.subjectaltname).toBe('DNS:shop.example.com');
    expect(res.authorized).toBe(true);
    expect(res.body).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(res.body).toContain('hello from shop');
    expect(new Date(res.cert.valid_to).getTime()).toBe(domain?.certificate?.notAfter?.getTime());
  });

  it('renews 30 days before expiry and serves the new certificate without a restart', async () => {
    const before = await findCertificate(db.sql, 'shop.example.com');
    await manager.poke();
    expect((await findCertificate(db.sql, 'shop.example.com'))?.certPem).toBe(before?.certPem);
    clock = new Date(before!.notAfter!.getTime() - 29 * DAY);
    await manager.poke();
    const after = await findCertificate(db.sql, 'shop.example.com');
    expect(after?.state).toBe('issued');
    expect(after?.certPem).not.toBe(before?.certPem);
    const served = await handshake(httpsPort, 'shop.example.com');
    expect(served.cert.fingerprint256).toBe(new X509Certificate(after!.certPem!).fingerprint256);
    clock = new Date();
  });

  it('reports a failing challenge with its reason and backs off', async () => {
    // Nothing listens on 127.0.0.2 (the proxy is bound to 127.0.0.1), so validation fails.
    await pebble.setAddress('broken.example.com', '127.0.0.2');
    await addDomain(db.sql, appId, parseDomainName('broken.example.com'));
    await manager.poke();
    const failed = await findCertificate(db.sql, 'broken.example.com');
    expect(failed?.state).toBe('failed');
    expect(failed?.reason).toMatch(/connection refused|connect/i);
    expect(failed?.attempts).toBe(1);
    expect(failed?.nextAttemptAt?.getTime()).toBe(clock.getTime() + 60_000);
    await manager.poke();
    expect((await findCertificate(db.sql, 'broken.example.com'))?.attempts).toBe(1);
    clock = new Date(clock.getTime() + 61_000);
    await manager.poke();
    expect((await findCertificate(db.sql, 'broken.example.com'))?.attempts).toBe(2);
  });

  it('drops the certificate of a removed domain; the name falls back to the wildcard', async () => {
    await removeDomain(db.sql, appId, parseAppName('shop'), parseDomainName('shop.example.com'));
    await manager.poke();
    expect(await findCertificate(db.sql, 'shop.example.com')).toBeUndefined();
    const { cert } = await handshake(httpsPort, 'shop.example.com');
    expect(cert.subjectaltname).toBe('DNS:*.localhost, DNS:localhost');
  });
});

describe('CertificateManager with an operator certificate', () => {
  it('stores and publishes the operator pair for *.<domain>, and refuses a mismatched one', async () => {
    const db = await createTestDatabase();
    try {
      const { makeSelfSignedWildcard } = await import('./self-signed.js');
      const [pair, other] = await Promise.all([makeSelfSignedWildcard('apps.example.com', 60), makeSelfSignedWildcard('apps.example.com', 60)]);
      const published: string[] = [];
      const base = {
        sql: db.sql, key: randomBytes(32) as SecretKey, domain: 'apps.example.com',
        acme: { directoryUrl: 'https://127.0.0.1:1/dir', email: undefined, caPem: undefined },
        challenges: new AcmeChallenges(), log: () => undefined,
        publish: (certs: Array<{ name: string }>, fallback: string) => void published.push(`${certs.map((c) => c.name).join(',')} ${fallback}`),
      };
      const manager = new CertificateManager({ ...base, operatorCertificate: { certPem: pair.certPem, keyPem: pair.keyPem } });
      await manager.start();
      await manager.close();
      expect(await findCertificate(db.sql, '*.apps.example.com')).toMatchObject({ source: 'operator', state: 'issued', certPem: pair.certPem });
      expect(published).toEqual(['*.apps.example.com *.apps.example.com']);
      const bad = new CertificateManager({ ...base, operatorCertificate: { certPem: pair.certPem, keyPem: other.keyPem } });
      await expect(bad.start()).rejects.toThrow(/does not match/);
      await bad.close();
    } finally {
      await db.drop();
    }
  });
});
