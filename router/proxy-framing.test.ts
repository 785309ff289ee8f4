/**
 * Message framing through the embedded proxy (RFC 9112 §6, §9): the proxy parses HTTP/1.1 itself,
 * so each way a body can be delimited, and each way a connection can persist, is checked here on
 * raw sockets against real Node upstreams.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw, startProxy, startUpstream, type TestServer } from './fixtures.js';
import type { EmbeddedProxy } from './proxy.js';
import { buildRoutingTable } from './table.js';

/** Writes `bytes` on one connection and reads until `complete(answer)` holds; the connection stays open. */
function exchange(socket: net.Socket, bytes: string, complete: (answer: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const onData = (d: Buffer): void => {
      answer += d.toString('latin1');
      if (complete(answer)) {
        socket.off('data', onData);
        resolve(answer);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(bytes);
  });
}

describe('EmbeddedProxy message framing', () => {
  const servers: TestServer[] = [];
  let proxy: EmbeddedProxy;
  let port: number;

  beforeAll(async () => {
    const echo = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === '/stream') {
          // No Content-Length: Node sends this chunked to a 1.1 proxy.
          res.write('part1-');
          setTimeout(() => res.end('part2'), 20);
          return;
        }
        if (req.url === '/empty') {
          res.writeHead(204).end();
          return;
        }
        res.setHeader('content-type', 'text/plain');
        if (req.url === '/utf') {
          // Node reads header bytes as latin1 and writes header strings as UTF-8.
          const name = Buffer.from(String(req.headers['x-name']), 'latin1').toString('utf8');
          res.setHeader('x-echo', name);
          res.end(`x-name=${name}`);
          return;
        }
        res.end(`${req.method} ${req.url} te=${req.headers['transfer-encoding'] ?? '-'} len=${req.headers['content-length'] ?? '-'} body=${body}`);
      });
    });
    // Answers with a body that ends when the connection does (no length, no chunks); to
    // /empty-last, with a head whose last field has no value, which Node's server never sends.
    const closer = net.createServer((socket) => {
      socket.once('data', (request: Buffer) => socket.end(request.toString('latin1').startsWith('GET /empty-last ')
        ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\nX-Empty:\r\n\r\nok'
        : 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-close'));
    });
    await new Promise<void>((r) => closer.listen(0, '127.0.0.1', r));
    servers.push(echo, {
      upstream: { host: '127.0.0.1', port: (closer.address() as net.AddressInfo).port },
      server: closer as never,
      close: () => new Promise<void>((r) => closer.close(() => r())),
    });
    ({ proxy, port } = await startProxy());
    proxy.setTable(buildRoutingTable({
      domain: 'localhost',
      apps: [{ name: 'echo', upstreams: [echo.upstream] }, { name: 'closer', upstreams: [servers[1]!.upstream] }],
    }));
  });

  afterAll(async () => {
    await proxy.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('re-chunks a chunked request body for the app', async () => {
    const raw = await sendRaw(port, 'POST /up HTTP/1.1\r\nHost: echo.localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
      '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(raw).toContain('POST /up te=chunked len=- body=hello world');
  });

  it('relays a chunked response as chunks and keeps the connection for the next request', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const first = await exchange(socket, 'GET /stream HTTP/1.1\r\nHost: echo.localhost\r\n\r\n', (a) => a.endsWith('0\r\n\r\n'));
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(first).toContain('Transfer-Encoding: chunked');
    expect(first).toContain('part1-');
    expect(first).toContain('part2');
    const second = await exchange(socket, 'GET /again HTTP/1.1\r\nHost: echo.localhost\r\n\r\n', (a) => a.includes('body='));
    expect(second).toContain('GET /again te=- len=- body=');
    socket.destroy();
  });

  it('turns a body delimited by the upstream closing into chunks for an HTTP/1.1 client', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const answer = await exchange(socket, 'GET / HTTP/1.1\r\nHost: closer.localhost\r\n\r\n', (a) => a.endsWith('0\r\n\r\n'));
    expect(answer).toContain('Transfer-Encoding: chunked');
    expect(answer).toContain('b\r\nuntil-close\r\n0\r\n\r\n');
    expect(answer).not.toMatch(/Connection: close/i);
    socket.destroy();
  });

  it('closes after the body for an HTTP/1.0 client, which cannot read chunks', async () => {
    const raw = await sendRaw(port, 'GET / HTTP/1.0\r\nHost: closer.localhost\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(raw).not.toContain('chunked');
    expect(raw.endsWith('\r\n\r\nuntil-close')).toBe(true);
  });

  it('keeps an HTTP/1.0 keep-alive connection open and says so', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const request = 'GET /ten HTTP/1.0\r\nHost: echo.localhost\r\nConnection: keep-alive\r\n\r\n';
    const first = await exchange(socket, request, (a) => a.includes('body='));
    expect(first).toContain('Connection: keep-alive');
    expect(first).toContain('Content-Length:');
    const second = await exchange(socket, request, (a) => a.includes('body='));
    expect(second).toContain('GET /ten');
    socket.destroy();
  });

  it('answers HEAD with the head only, and the connection goes on', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const head = await exchange(socket, 'HEAD /h HTTP/1.1\r\nHost: echo.localhost\r\n\r\n', (a) => a.includes('\r\n\r\n'));
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    const next = await exchange(socket, 'GET /after-head HTTP/1.1\r\nHost: echo.localhost\r\n\r\n', (a) => a.includes('body='));
    expect(next).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(next).toContain('GET /after-head');
    socket.destroy();
  });

  it('passes 204 without a body and 100 Continue before the final answer', async () => {
    const empty = await sendRaw(port, 'GET /empty HTTP/1.1\r\nHost: echo.localhost\r\nConnection: close\r\n\r\n');
    expect(empty).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(empty.endsWith('\r\n\r\n')).toBe(true);
    const socket = net.connect(port, '127.0.0.1');
    const interim = await exchange(socket, 'POST /c HTTP/1.1\r\nHost: echo.localhost\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n', (a) => a.includes('\r\n\r\n'));
    expect(interim).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
    const final = await exchange(socket, 'hi', (a) => a.includes('body='));
    expect(final).toContain('POST /c te=- len=2 body=hi');
    socket.destroy();
  });

  it('passes UTF-8 bytes in header fields both ways exactly as they came', async () => {
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(Buffer.concat([
        Buffer.from('GET /utf HTTP/1.1\r\nHost: echo.localhost\r\nX-Name: caf'), Buffer.from('é', 'utf8'), Buffer.from('\r\nConnection: close\r\n\r\n'),
      ])));
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
    // The echo upstream answers with the header as it received it, in its body and in a header.
    const text = answer.toString('utf8');
    expect(text).toContain('x-name=café');
    expect(text).toContain('x-echo: café');
  });

  it('relays a head whose last field is empty whole, its own fields after it', async () => {
    // An empty value is reported after its line's CRLF; taking the line's end from there once
    // added the blank line, and the proxy's X-Request-Id reached the client as body bytes.
    const raw = await sendRaw(port, 'GET /empty-last HTTP/1.1\r\nHost: closer.localhost\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Length: 2\r\nX-Empty:\r\nX-Request-Id: [0-9a-f-]{36}\r\nConnection: close\r\n\r\nok$/);
  });

  it('refuses CONNECT with 405: the router is not a forward proxy', async () => {
    const raw = await sendRaw(port, 'CONNECT echo.localhost:443 HTTP/1.1\r\nHost: echo.localhost:443\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 405 Method Not Allowed/);
    expect(raw).toContain('CONNECT is not supported');
  });
});
