/**
 * Hostile input through the embedded proxy (issue 5, "Must hold"): missing or malformed Host,
 * oversized headers, request smuggling attempts, slow clients and slow upstreams. Each gets a
 * clear 4xx/5xx, nothing reaches an app that should not, and the proxy keeps serving.
 * Raw sockets, because well-behaved HTTP clients refuse to send most of these.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, sendRaw, startUpstream, type TestServer } from './fixtures.js';
import { EmbeddedProxy } from './proxy.js';
import { buildRoutingTable } from './table.js';

describe('EmbeddedProxy under hostile input', () => {
  const seen: Record<string, string[]> = { alpha: [], beta: [] };
  const servers: TestServer[] = [];
  let proxy: EmbeddedProxy;
  let port: number;

  const named = (name: 'alpha' | 'beta') => startUpstream((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen[name]!.push(`${req.method} ${req.url} ${body}`);
      res.end(`${name}:${req.url}`);
    });
  });

  beforeAll(async () => {
    const [alpha, beta, slow] = await Promise.all([named('alpha'), named('beta'), startUpstream(() => undefined)]);
    servers.push(alpha!, beta!, slow!);
    proxy = new EmbeddedProxy({ headersTimeoutMs: 400, upstreamTimeoutMs: 400 });
    port = await proxy.listen(0, '127.0.0.1');
    proxy.setTable(buildRoutingTable({
      domain: 'localhost',
      apps: [
        { name: 'alpha', upstreams: [alpha!.upstream] },
        { name: 'beta', upstreams: [beta!.upstream] },
        { name: 'slow', upstreams: [slow!.upstream] },
      ],
    }));
  });

  afterAll(async () => {
    await proxy.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  const clear = () => {
    seen.alpha = [];
    seen.beta = [];
  };

  it.each([
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 /, 'Missing Host header'],
    ['an empty Host', 'GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 /, 'Missing Host header'],
    ['a Host with spaces', 'GET / HTTP/1.1\r\nHost: alpha localhost\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 404 /, 'No app is configured'],
    ['a Host of dots', 'GET / HTTP/1.1\r\nHost: ...\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 404 /, 'No app is configured'],
    ['an unclosed IPv6 Host', 'GET / HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 404 /, 'No app is configured'],
    ['a Host with a control character', 'GET / HTTP/1.1\r\nHost: alpha\x01.localhost\r\n\r\n', /^HTTP\/1\.1 400 Bad Request/, ''],
    ['a garbage request line', 'HELLO\r\n\r\n', /^HTTP\/1\.1 400 Bad Request/, ''],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: alpha.localhost\r\nHost: beta.localhost\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 /, 'more than one Host header'],
  ])('answers %s with a clear error, reaching no app', async (_label, bytes, status, message) => {
    clear();
    const raw = await sendRaw(port, bytes);
    expect(raw).toMatch(status);
    expect(raw).toContain(message);
    expect([...seen.alpha!, ...seen.beta!]).toEqual([]);
  });

  it('answers oversized headers with 431', async () => {
    clear();
    const raw = await sendRaw(port, `GET / HTTP/1.1\r\nHost: alpha.localhost\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large/);
    expect(seen.alpha).toEqual([]);
  });

  it.each([
    ['Content-Length with Transfer-Encoding: chunked (CL.TE)',
      'POST / HTTP/1.1\r\nHost: alpha.localhost\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: beta.localhost\r\n\r\n'],
    ['two different Content-Lengths',
      'POST / HTTP/1.1\r\nHost: alpha.localhost\r\nContent-Length: 5\r\nContent-Length: 30\r\n\r\nhelloGET /smuggled HTTP/1.1\r\nHost: beta.localhost\r\n\r\n'],
    ['an obfuscated Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: alpha.localhost\r\nTransfer-Encoding: chunked, identity\r\nContent-Length: 5\r\n\r\nhello'],
  ])('refuses a smuggling attempt: %s, and nothing reaches either app', async (_label, bytes) => {
    clear();
    const raw = await sendRaw(port, bytes);
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(raw).not.toContain('smuggled');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.alpha).toEqual([]);
    expect(seen.beta).toEqual([]);
  });

  it('routes each pipelined request on one connection by its own Host: nothing leaks between apps', async () => {
    clear();
    const raw = await sendRaw(port,
      'GET /one HTTP/1.1\r\nHost: alpha.localhost\r\n\r\n' +
      'GET /two HTTP/1.1\r\nHost: beta.localhost\r\n\r\n' +
      'GET /three HTTP/1.1\r\nHost: alpha.localhost\r\nConnection: close\r\n\r\n');
    expect(raw.match(/(alpha|beta):\/(one|two|three)/g)).toEqual(['alpha:/one', 'beta:/two', 'alpha:/three']);
    expect(seen.alpha).toEqual(['GET /one ', 'GET /three ']);
    expect(seen.beta).toEqual(['GET /two ']);
  });

  it('answers 300 pipelined requests, to apps and to unknown hosts, in order', async () => {
    clear();
    const requests = Array.from({ length: 300 }, (_, i) =>
      `GET /p${i} HTTP/1.1\r\nHost: ${i % 3 === 2 ? 'nope' : i % 3 === 1 ? 'beta' : 'alpha'}.localhost\r\n${i === 299 ? 'Connection: close\r\n' : ''}\r\n`);
    const raw = await sendRaw(port, requests.join(''));
    const answers = raw.match(/(alpha|beta):\/p\d+|No app is configured at nope\.localhost/g) ?? [];
    const expected = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 2 ? 'No app is configured at nope.localhost' : `${i % 3 === 1 ? 'beta' : 'alpha'}:/p${i}`);
    expect(answers).toEqual(expected);
    expect(seen.alpha).toHaveLength(100);
    expect(seen.beta).toHaveLength(100);
  });

  it('times out a client that trickles its headers (408) and keeps serving others meanwhile', async () => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    const closed = new Promise((r) => socket.on('close', r));
    socket.write('GET / HTTP/1.1\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 50);
    const during = await send(port, 'alpha.localhost', { path: '/during' });
    expect(during.body).toBe('alpha:/during');
    await closed;
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect((await send(port, 'beta.localhost')).body).toBe('beta:/');
  });

  it('answers 504 for a slow upstream and keeps serving others meanwhile', async () => {
    const slow = send(port, 'slow.localhost');
    const during = await send(port, 'alpha.localhost', { path: '/during-slow' });
    expect(during.body).toBe('alpha:/during-slow');
    const res = await slow;
    expect(res.status).toBe(504);
    expect(res.body).toContain('slow did not answer within 400 ms');
  });

  it('survives many abrupt disconnects', async () => {
    await Promise.all(Array.from({ length: 50 }, () => new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('GET / HTTP/1.1\r\nHost: alpha.localhost\r\nContent-Length: 100\r\n\r\npartial');
        socket.destroy();
        resolve();
      });
      socket.on('error', () => resolve());
    })));
    expect((await send(port, 'alpha.localhost', { path: '/after' })).body).toBe('alpha:/after');
  });
});
