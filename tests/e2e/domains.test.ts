/**
 * Issue 5 end to end: custom domains and automatic TLS through `devflow up`, against Debian's
 * pebble ACME server. domains:add → the certificate is issued over HTTP-01 through DevFlow's own
 * proxy → an HTTPS request with that server name gets the issued certificate and the app's body;
 * a failing challenge reports its reason; bad names get clear 4xx answers; /metrics counts the
 * traffic. Renewal with an injected clock is covered in router/tls/manager.test.ts.
 */
import http from 'node:http';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample } from '../support/git.js';
import { preparePebble, type Pebble } from '../support/pebble.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');

/** An HTTPS GET with SNI; the chain is verified against `ca` when given. */
function httpsGet(port: number, servername: string, ca?: string): Promise<{ cert: tls.PeerCertificate; authorized: boolean; raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      socket.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
    });
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (raw += d));
    socket.on('end', () => resolve({ cert: socket.getPeerCertificate(), authorized: socket.authorized, raw }));
    socket.on('error', reject);
  });
}

describe('custom domains and TLS with pebble', () => {
  let devflow: DevflowProcess;
  let pebble: Pebble;

  const api = (method: string, route: string, body?: unknown, token: string | null = devflow.token) =>
    fetch(`${devflow.api}${route}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    const setup = await preparePebble();
    devflow = await startDevflowProcess({
      runtime: 'process',
      // Bound to 127.0.0.1 only, so a name that resolves to 127.0.0.2 fails its challenge.
      env: { DEVFLOW_BIND: '127.0.0.1', DEVFLOW_ACME_DIRECTORY: setup.directoryUrl, DEVFLOW_ACME_CA_FILE: setup.caFile, DEVFLOW_ACME_EMAIL: 'ops@example.com' },
    });
    pebble = await setup.start(devflow.httpPort);
    await devflow.cli(['apps:create', 'shop']);
    await devflow.cli(['apps:create', 'other']);
    const repo = await repoFromExample(path.join(EXAMPLES, 'node-hello'));
    const pushed = await pushTo(repo, devflow, 'shop');
    expect(pushed.exitCode, pushed.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await devflow?.stop();
    await pebble?.stop();
    await cleanupRuntime(devflow?.home);
  });

  it('serves the self-signed *.localhost wildcard over HTTPS from the first start', async () => {
    const res = await httpsGet(devflow.httpsPort, 'shop.localhost');
    expect(res.cert.subjectaltname).toBe('DNS:*.localhost, DNS:localhost');
    expect(res.raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(res.raw).toContain('Hello from node-hello');
  });

  it('domains:add issues a certificate over HTTP-01; HTTPS with that name serves it and the app', async () => {
    const added = await devflow.cli(['domains:add', 'shop', 'Shop.Example.com', '--wait']);
    expect(added.stdout).toContain(`Added shop.example.com to shop: https://shop.example.com:${devflow.httpsPort}/`);
    expect(added.stdout).toContain('Certificate: issued');
    const listed = await devflow.cli(['domains', 'shop']);
    expect(listed.stdout).toMatch(/shop\.example\.com\s+\d{4}-\d{2}-\d{2}\s+issued/);
    const res = await httpsGet(devflow.httpsPort, 'shop.example.com', await pebble.issuingRoot());
    expect(res.cert.subjectaltname).toBe('DNS:shop.example.com');
    expect(res.authorized).toBe(true);
    expect(res.raw).toContain('Hello from node-hello');
    const json = JSON.parse((await devflow.cli(['domains', 'shop', '--json'])).stdout) as Array<{ certificate: { expiresAt: string } }>;
    expect(new Date(json[0]!.certificate.expiresAt).getTime()).toBe(new Date(res.cert.valid_to).getTime());
    expect((await getViaRouter(devflow.httpPort, 'shop.example.com')).body).toContain('Hello from node-hello');
  });

  it('a failing challenge reports `failed: <reason>` in the CLI and the API', async () => {
    await pebble.setAddress('broken.example.com', '127.0.0.2');
    const added = await devflow.cli(['domains:add', 'shop', 'broken.example.com', '--wait'], { reject: false });
    expect(added.exitCode).not.toBe(0);
    expect(added.stderr).toMatch(/certificate for broken\.example\.com failed: .*(connection refused|connect)/i);
    const listed = await devflow.cli(['domains', 'shop']);
    expect(listed.stdout).toMatch(/broken\.example\.com\s+-\s+failed: /);
    const body = (await (await api('GET', '/api/v1/apps/shop/domains')).json()) as Array<{ name: string; certificate: { state: string; reason: string } }>;
    expect(body.find((d) => d.name === 'broken.example.com')?.certificate).toMatchObject({ state: 'failed', reason: expect.stringMatching(/refused|connect/i) });
  });

  it.each([
    ['an underscore', 'bad_name.example.com', 'is not a DNS label'],
    ['an IP literal', '127.0.0.1', 'IP addresses are not domain names'],
    ['a wildcard', '*.example.com', 'wildcards are not allowed'],
    ['a single label', 'localhost', 'full name with a dot'],
    ['300 characters', 'a'.repeat(300), 'at most 253 characters'],
  ])('refuses %s with a clear 400', async (_label, name, message) => {
    const res = await api('POST', '/api/v1/apps/shop/domains', { name });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(message);
    const cli = await devflow.cli(['domains:add', 'shop', name], { reject: false });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toContain(message);
  });

  it('a domain belongs to one app: 409 for another', async () => {
    const res = await api('POST', '/api/v1/apps/other/domains', { name: 'shop.example.com' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('shop.example.com already belongs to another app (shop)');
  });

  it('redirects HTTP to HTTPS when the app asks', async () => {
    await devflow.cli(['domains:redirect', 'shop', 'on']);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: devflow.httpPort, path: '/path?q=1', headers: { host: 'shop.localhost' }, agent: false }, resolve).on('error', reject);
    });
    res.resume();
    expect(res.statusCode).toBe(308);
    expect(res.headers.location).toBe(`https://shop.localhost:${devflow.httpsPort}/path?q=1`);
    await devflow.cli(['domains:redirect', 'shop', 'off']);
    expect((await getViaRouter(devflow.httpPort, 'shop.localhost')).status).toBe(200);
  });

  it('/metrics needs a token and counts requests per app', async () => {
    expect((await api('GET', '/metrics', undefined, null)).status).toBe(401);
    const res = await api('GET', '/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/devflow_router_requests_total\{app="shop",class="2xx"\} \d+/);
    expect(text).toMatch(/devflow_router_requests_total\{app="shop",class="3xx"\} 1/);
    expect(text).toMatch(/devflow_router_request_duration_seconds_count\{app="shop"\} \d+/);
  });

  it('domains:remove stops routing the name and drops its certificate', async () => {
    const removed = await devflow.cli(['domains:remove', 'shop', 'shop.example.com']);
    expect(removed.stdout).toContain('Removed shop.example.com from shop');
    await expect.poll(async () => (await getViaRouter(devflow.httpPort, 'shop.example.com')).status, { timeout: 10_000 }).toBe(404);
    await expect.poll(async () => (await httpsGet(devflow.httpsPort, 'shop.example.com')).cert.subjectaltname, { timeout: 10_000 })
      .toBe('DNS:*.localhost, DNS:localhost');
    const missing = await devflow.cli(['domains:remove', 'shop', 'shop.example.com'], { reject: false });
    expect(missing.stderr).toContain('shop.example.com is not a domain of shop');
  });
});
