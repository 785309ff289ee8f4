import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeChallenges } from './acme/challenges.js';
import { send, startUpstream, type TestServer } from './fixtures.js';
import { ProxyMetrics } from './metrics.js';
import { EmbeddedProxy } from './proxy.js';
import { buildRoutingTable } from './table.js';
import { makeSelfSignedWildcard } from './tls/self-signed.js';
import type { ServedCertificate } from './tls/sni.js';

/** Opens a TLS connection with the given SNI and returns the certificate the server presented. */
function presented(port: number, servername: string | undefined): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

function getHttps(port: number, host: string, path = '/'): Promise<{ status: number; body: string; cert: tls.PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, servername: host.split(':')[0], headers: { host }, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cert: (res.socket as tls.TLSSocket).getPeerCertificate() }));
    });
    req.on('error', reject);
  });
}

async function certFor(name: string, domain: string): Promise<ServedCertificate> {
  return { name, ...(await makeSelfSignedWildcard(domain, 30)) };
}

describe('EmbeddedProxy over HTTPS', () => {
  const challenges = new AcmeChallenges();
  const metrics = new ProxyMetrics();
  let proxy: EmbeddedProxy;
  let httpPort: number;
  let httpsPort: number;
  let echo: TestServer;
  let platform: ServedCertificate;
  let shop: ServedCertificate;

  beforeAll(async () => {
    echo = await startUpstream((req, res) => res.end(JSON.stringify({ proto: req.headers['x-forwarded-proto'], url: req.url })));
    proxy = new EmbeddedProxy({ challenges, metrics });
    httpPort = await proxy.listen(0, '127.0.0.1');
    httpsPort = await proxy.listenHttps(0, '127.0.0.1');
    [platform, shop] = await Promise.all([certFor('*.localhost', 'localhost'), certFor('shop.example.com', 'example.com')]);
    expect(proxy.setCertificates([platform, shop], '*.localhost')).toEqual([]);
    proxy.setTable(buildRoutingTable({
      domain: 'localhost',
      apps: [
        { name: 'web', upstreams: [echo.upstream], customDomains: ['shop.example.com'] },
        { name: 'secure', upstreams: [echo.upstream], httpsRedirect: true },
      ],
    }));
  }, 30_000);

  afterAll(async () => {
    await proxy.close();
    await echo.close();
  });

  it('presents the certificate of the requested name, else the platform wildcard', async () => {
    expect((await presented(httpsPort, 'shop.example.com')).fingerprint256).toBe(fingerprintOf(shop));
    expect((await presented(httpsPort, 'web.localhost')).fingerprint256).toBe(fingerprintOf(platform));
    expect((await presented(httpsPort, undefined)).fingerprint256).toBe(fingerprintOf(platform));
  });

  it('serves the app over HTTPS with X-Forwarded-Proto https', async () => {
    const res = await getHttps(httpsPort, 'shop.example.com', '/x');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ proto: 'https', url: '/x' });
    expect(res.cert.fingerprint256).toBe(fingerprintOf(shop));
  });

  it('redirects plain HTTP to HTTPS for apps that ask, and proxies the others', async () => {
    const redirected = await send(httpPort, 'secure.localhost:8080', { path: '/a?b=1' });
    expect(redirected.status).toBe(308);
    expect(redirected.headers.location).toBe(`https://secure.localhost:${httpsPort}/a?b=1`);
    const plain = await send(httpPort, 'web.localhost');
    expect(JSON.parse(plain.body)).toEqual({ proto: 'http', url: '/' });
    const overTls = await getHttps(httpsPort, 'secure.localhost');
    expect(overTls.status).toBe(200);
  });

  it('answers a pending ACME challenge before routing, even for a redirected app', async () => {
    challenges.add('tok_123', 'tok_123.thumb');
    const res = await send(httpPort, 'secure.localhost', { path: '/.well-known/acme-challenge/tok_123' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('tok_123.thumb');
    challenges.remove('tok_123');
    const gone = await send(httpPort, 'web.localhost', { path: '/.well-known/acme-challenge/tok_123' });
    expect(JSON.parse(gone.body)).toEqual({ proto: 'http', url: '/.well-known/acme-challenge/tok_123' });
  });

  it('swaps certificates without a restart', async () => {
    const renewed = await certFor('shop.example.com', 'example.com');
    proxy.setCertificates([platform, renewed], '*.localhost');
    expect((await presented(httpsPort, 'shop.example.com')).fingerprint256).toBe(fingerprintOf(renewed));
  });

  it('refuses a certificate whose key does not match', () => {
    const problems = proxy.setCertificates([platform, { ...shop, keyPem: platform.keyPem }], '*.localhost');
    expect(problems).toEqual([expect.stringContaining('does not match')]);
  });

  it('counts requests per app and status class', () => {
    const text = metrics.render();
    expect(text).toMatch(/devflow_router_requests_total\{app="web",class="2xx"\} \d+/);
    expect(text).toContain('devflow_router_requests_total{app="secure",class="3xx"} 1');
  });
});

function fingerprintOf(cert: ServedCertificate): string {
  return new X509Certificate(cert.certPem).fingerprint256;
}
