import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, send, sendRaw, startNamedUpstream, startProxy, startUpstream, type TestServer } from './fixtures.js';
import type { EmbeddedProxy } from './proxy.js';
import { buildRoutingTable, type Upstream } from './table.js';

describe('EmbeddedProxy routing and error pages', () => {
  const servers: TestServer[] = [];
  let proxy: EmbeddedProxy;
  let port: number;
  let dead: Upstream;

  beforeAll(async () => {
    const [alpha, beta, r1, r2, r3, echo, hang] = await Promise.all([
      startNamedUpstream('alpha'),
      startNamedUpstream('beta'),
      startNamedUpstream('r1'),
      startNamedUpstream('r2'),
      startNamedUpstream('r3'),
      startUpstream((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('keep-alive', 'timeout=99');
        res.end(JSON.stringify({ url: req.url, method: req.method, headers: req.headers }));
      }),
      startUpstream(() => undefined), // accepts requests and never answers
    ]);
    servers.push(alpha!, beta!, r1!, r2!, r3!, echo!, hang!);
    dead = await closedPort();
    ({ proxy, port } = await startProxy({ upstreamTimeoutMs: 300 }));
    proxy.setTable(
      buildRoutingTable({
        domain: 'localhost',
        apps: [
          { name: 'alpha', upstreams: [alpha!.upstream], customDomains: ['alpha.example.com'] },
          { name: 'beta', upstreams: [beta!.upstream] },
          { name: 'rr', upstreams: [r1!.upstream, r2!.upstream, r3!.upstream] },
          { name: 'echo', upstreams: [echo!.upstream] },
          { name: 'idle', upstreams: [] },
          { name: 'broken', upstreams: [alpha!.upstream], state: 'crashed' },
          { name: 'refused', upstreams: [dead] },
          { name: 'hang', upstreams: [hang!.upstream] },
          { name: 'failover', upstreams: [dead, beta!.upstream] },
        ],
        previews: [{ app: 'alpha', slug: 'pr-7', upstreams: [beta!.upstream] }],
      }),
    );
  });

  afterAll(async () => {
    await proxy.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it.each([
    ['alpha.localhost', 'alpha'],
    [`ALPHA.localhost:${8080}`, 'alpha'],
    ['beta.localhost', 'beta'],
    ['pr-7.alpha.localhost', 'beta'],
    ['alpha.example.com', 'alpha'],
  ])('routes %s to %s', async (host, body) => {
    const res = await send(port, host);
    expect(res.status).toBe(200);
    expect(res.body).toBe(body);
  });

  it('balances round robin over the upstreams', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await send(port, 'rr.localhost')).body);
    expect(seen.slice(0, 3).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(seen.slice(3)).toEqual(seen.slice(0, 3));
  });

  it.each([
    ['nope.localhost', 404, 'No app is configured at nope.localhost'],
    ['idle.localhost', 503, 'idle has no running instance'],
    ['broken.localhost', 503, 'broken has crashed'],
    ['refused.localhost', 502, 'refused did not accept the connection (ECONNREFUSED)'],
    ['hang.localhost', 504, 'hang did not answer within 300 ms'],
  ])('answers %s with %d', async (host, status, message) => {
    const res = await send(port, host);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toContain(message);
    expect(res.body).toContain(`request id: ${res.headers['x-request-id']}`);
  });

  it('serves HTML error pages to browsers, with the host escaped', async () => {
    const res = await send(port, '<b>x</b>.localhost', { headers: { accept: 'text/html,*/*' } });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('No app is configured at &#60;b&#62;x&#60;/b&#62;.localhost');
    expect(res.body).not.toContain('<b>');
  });

  it('answers a request without a Host header with 400', async () => {
    const raw = await sendRaw(port, 'GET / HTTP/1.0\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw).toContain('Missing Host header');
  });

  it('retries a refused connection once on the next upstream', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await send(port, 'failover.localhost');
      expect(res.status).toBe(200);
      expect(res.body).toBe('beta');
    }
  });

  it('keeps serving after upstream errors', async () => {
    expect((await send(port, 'refused.localhost')).status).toBe(502);
    expect((await send(port, 'hang.localhost')).status).toBe(504);
    expect((await send(port, 'alpha.localhost')).body).toBe('alpha');
  });

  it('passes method, path, body and X-Forwarded-* headers to the upstream', async () => {
    const res = await send(port, `echo.localhost:${port}`, {
      method: 'POST',
      path: '/a/b?c=1',
      body: 'hello',
      headers: { 'x-forwarded-for': '10.0.0.1', 'x-request-id': 'trace-abc_123', 'x-forwarded-proto': 'https' },
    });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body) as { url: string; method: string; headers: Record<string, string> };
    expect(seen.url).toBe('/a/b?c=1');
    expect(seen.method).toBe('POST');
    expect(seen.headers['host']).toBe(`echo.localhost:${port}`);
    expect(seen.headers['x-forwarded-host']).toBe(`echo.localhost:${port}`);
    expect(seen.headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-request-id']).toBe('trace-abc_123');
    expect(res.headers['x-request-id']).toBe('trace-abc_123');
    expect(res.headers['keep-alive']).toBeUndefined();
  });

  it('replaces an unsafe request id and strips hop-by-hop headers', async () => {
    const res = await send(port, 'echo.localhost', {
      headers: { 'x-request-id': 'not a sane id', connection: 'keep-alive, x-private', 'x-private': 'secret', te: 'trailers' },
    });
    const seen = JSON.parse(res.body) as { headers: Record<string, string> };
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(seen.headers['x-request-id']);
    expect(seen.headers['x-private']).toBeUndefined();
    expect(seen.headers['te']).toBeUndefined();
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('gives pipelined requests their own fields, though they start after their read buffer was reused', async () => {
    // The first request's head is relayed from its bytes; the others wait, and meanwhile the
    // proxy's one read buffer takes the upstream's answers, so they must have kept strings.
    const requests = Array.from({ length: 10 }, (_, i) =>
      `GET /p${i} HTTP/1.1\r\nHost: echo.localhost\r\nX-Mark: mark-${i}\r\n${i === 9 ? 'Connection: close\r\n' : ''}\r\n`);
    const raw = await sendRaw(port, requests.join(''));
    const seen = [...raw.matchAll(/\{"url":"([^"]+)".*?"x-mark":"([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `/p${i} mark-${i}`));
  });

  it('forwards a head whose last field is empty whole: the proxy\'s own fields stay in it', async () => {
    // An empty value is reported after its line's CRLF; taking the line's end from there once
    // added the blank line, ending the head early and sending the proxy's fields as body bytes.
    const raw = await sendRaw(port, 'GET /e HTTP/1.1\r\nHost: echo.localhost\r\nConnection: close\r\nX-Empty: \r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    const seen = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/e');
    expect(seen.headers['x-empty']).toBe('');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an Upgrade request for a crashed app with its 503 page', async () => {
    const raw = await sendRaw(
      port,
      'GET /ws HTTP/1.1\r\nHost: broken.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(raw).toContain('broken has crashed');
  });
});

describe('EmbeddedProxy client timeouts', () => {
  it('answers 408 when the request headers do not arrive in time', async () => {
    const { proxy, port } = await startProxy({ headersTimeoutMs: 200 });
    try {
      const raw = await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a.localhost\r\n');
      expect(raw).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    } finally {
      await proxy.close();
    }
  });
});
