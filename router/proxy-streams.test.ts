import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  deferred,
  send,
  startNamedUpstream,
  startProxy,
  startProxyProcess,
  startUpstream,
  type TestServer,
} from './fixtures.js';
import type { EmbeddedProxy } from './proxy.js';
import { buildRoutingTable, type Upstream } from './table.js';

const MB = 1024 * 1024;
const BODY_SIZE = 100 * MB;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function upstream(server: Promise<TestServer>): Promise<TestServer> {
  const s = await server;
  cleanups.push(() => s.close());
  return s;
}

async function proxyFor(apps: Array<{ name: string; upstreams: Upstream[] }>): Promise<{ proxy: EmbeddedProxy; port: number }> {
  // These tests are about bytes, not deadlines: the upstream, the proxy and the clients share one
  // event loop here, and on a starved machine the last of eight 5 MB responses could begin after
  // the default 60 s upstream timeout, which then answers 504 (seen in a loaded test run).
  const started = await startProxy({ upstreamTimeoutMs: 10 * 60_000 });
  cleanups.push(() => started.proxy.close());
  started.proxy.setTable(buildRoutingTable({ domain: 'localhost', apps }));
  return started;
}

/** Writes `size` bytes of generated data with backpressure, never holding more than a chunk. */
async function writeGenerated(stream: NodeJS.WritableStream, size: number): Promise<void> {
  for (let sent = 0; sent < size; sent += CHUNK.length) {
    if (!stream.write(CHUNK)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
}

/** Counts a stream's bytes without keeping them. */
function countBytes(stream: NodeJS.ReadableStream): Promise<number> {
  return new Promise((resolve, reject) => {
    let total = 0;
    stream.on('data', (chunk: Buffer) => (total += chunk.length));
    stream.on('end', () => resolve(total));
    stream.on('error', reject);
  });
}

/**
 * Runs one transfer through a proxy in its own process and returns how far that process's
 * resident memory rose. A proxy that held the body would grow by about the body's size.
 */
async function proxyGrowthDuring(app: TestServer, transfer: (port: number) => Promise<void>): Promise<number> {
  const child = await startProxyProcess();
  cleanups.push(() => child.close());
  await child.setTable({ domain: 'localhost', apps: [{ name: 'app', upstreams: [app.upstream] }] });
  await child.resetPeak();
  await transfer(child.port);
  const growth = await child.peakGrowth();
  if (process.env.SHOW_GROWTH) console.log('GROWTH', growth / MB);
  return growth;
}

describe('EmbeddedProxy streaming', () => {
  it('streams a 100 MB response without holding it in memory', async () => {
    const source = await upstream(startUpstream((_req, res) => void writeGenerated(res, BODY_SIZE)));
    let received = 0;
    const growth = await proxyGrowthDuring(source, (port) => {
      return new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, headers: { host: 'app.localhost' }, agent: false }, (res) => {
          countBytes(res).then((n) => ((received = n), resolve()), reject);
        });
        req.on('error', reject);
      });
    });
    expect(received).toBe(BODY_SIZE);
    expect(growth).toBeLessThan(BODY_SIZE / 3);
  });

  it('streams a 100 MB upload without holding it in memory', async () => {
    const sink = await upstream(startUpstream((req, res) => void countBytes(req).then((n) => res.end(String(n)))));
    let answer = '';
    const growth = await proxyGrowthDuring(sink, (port) => {
      return new Promise<void>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', headers: { host: 'app.localhost' }, agent: false },
          (res) => {
            res.setEncoding('utf8');
            res.on('data', (text: string) => (answer += text));
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        void writeGenerated(req, BODY_SIZE);
      });
    });
    expect(answer).toBe(String(BODY_SIZE));
    expect(growth).toBeLessThan(BODY_SIZE / 3);
  });

  it('keeps concurrent uploads apart, chunked and with a length, while upstream connections open', async () => {
    // Plain client connections are read into one shared buffer (client-reader.ts): a body piece
    // kept past its read without a copy would come out as another client's bytes.
    const sink = await upstream(startUpstream((req, res) => {
      const hash = createHash('sha256');
      req.on('data', (chunk: Buffer) => hash.update(chunk));
      req.on('end', () => res.end(hash.digest('hex')));
    }));
    const { port } = await proxyFor([{ name: 'app', upstreams: [sink.upstream] }]);
    const upload = (i: number) => new Promise<{ sent: string; answer: string }>((resolve, reject) => {
      const piece = Buffer.alloc(16 * 1024 + i * 997, String.fromCharCode(97 + i));
      const hash = createHash('sha256');
      const headers: http.OutgoingHttpHeaders = { host: 'app.localhost' };
      if (i % 2 === 0) headers['content-length'] = piece.length * 64; // the others go chunked
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', headers, agent: false }, (res) => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (answer += text));
        res.on('end', () => resolve({ sent: hash.digest('hex'), answer }));
      });
      req.on('error', reject);
      void (async () => {
        for (let n = 0; n < 64; n++) {
          hash.update(piece);
          if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
          if (n % 8 === 0) await new Promise((r) => setImmediate(r));
        }
        req.end();
      })();
    });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => upload(i)));
    for (const { sent, answer } of results) expect(answer).toBe(sent);
  });

  it('keeps concurrent downloads apart, with a length and chunked, from slow and fast readers', async () => {
    // Upstream connections are read into the same shared buffer as clients: a response piece
    // kept past its read without a copy would reach a client as another response's bytes.
    const source = await upstream(startUpstream((req, res) => {
      const i = Number(req.url!.slice(1));
      const piece = Buffer.alloc(32 * 1024 + i * 1013, String.fromCharCode(65 + i));
      if (i % 2 === 0) res.setHeader('content-length', piece.length * 128);
      void (async () => {
        for (let n = 0; n < 128; n++) if (!res.write(piece)) await new Promise((r) => res.once('drain', r));
        res.end();
      })();
    }));
    const { port } = await proxyFor([{ name: 'app', upstreams: [source.upstream] }]);
    const download = (i: number) => new Promise<{ status: number | undefined; expected: string; got: string }>((resolve, reject) => {
      const piece = Buffer.alloc(32 * 1024 + i * 1013, String.fromCharCode(65 + i));
      const expected = createHash('sha256');
      for (let n = 0; n < 128; n++) expected.update(piece);
      http.get({ host: '127.0.0.1', port, path: `/${i}`, headers: { host: 'app.localhost' }, agent: false }, (res) => {
        const got = createHash('sha256');
        res.on('data', (chunk: Buffer) => {
          got.update(chunk);
          // Odd clients read slowly, so the proxy's writes to them back up while others flow.
          if (i % 2 === 1) {
            res.pause();
            setTimeout(() => res.resume(), 5);
          }
        });
        res.on('end', () => resolve({ status: res.statusCode, expected: expected.digest('hex'), got: got.digest('hex') }));
        res.on('error', reject);
      }).on('error', reject);
    });
    // Twice: the second round runs on the upstream connections the first gave back to the pool.
    // A response that ended in the read which filled a slow client's buffer used to leave its
    // connection paused (the client, ended on Connection: close, never emits 'drain'), and the
    // next request on it got no answer read: a 504 after the upstream timeout, every other round.
    for (let round = 1; round <= 2; round++) {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => download(i)));
      for (const { status, expected, got } of results) expect({ round, status, got }).toEqual({ round, status: 200, got: expected });
    }
  });

  it('relays the bytes a client sent with its upgrade head, whatever other clients send meanwhile', async () => {
    // A raw upstream: answers 101 to the head, then echoes what follows it.
    const echo = net.createServer((socket) => {
      let seen = Buffer.alloc(0);
      const onData = (data: Buffer) => {
        seen = Buffer.concat([seen, data]);
        const end = seen.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
        socket.write(seen.subarray(end + 4));
        socket.pipe(socket);
      };
      socket.on('data', onData);
    });
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => echo.close(() => resolve())));
    const { port } = await proxyFor([{ name: 'app', upstreams: [{ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port }] }]);

    const payload = 'payload-sent-with-the-head';
    const others = await Promise.all(Array.from({ length: 8 }, async () => {
      const other = net.connect(port, '127.0.0.1');
      await once(other, 'connect');
      return other;
    }));
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    let received = '';
    client.on('data', (d: Buffer) => (received += d.toString('latin1')));
    // Other connections keep the proxy reading while the upgrade's upstream connection opens.
    const flood = setInterval(() => {
      for (const other of others) other.write(`GET / HTTP/1.1\r\nHost: nobody.localhost\r\nX-Fill: ${'z'.repeat(2000)}\r\n\r\n`);
    }, 1);
    for (const other of others) other.resume();
    await new Promise((r) => setTimeout(r, 20));
    client.write(`GET /ws HTTP/1.1\r\nHost: app.localhost\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n${payload}`);
    for (let i = 0; i < 200 && !received.endsWith(payload); i++) await new Promise((r) => setTimeout(r, 10));
    clearInterval(flood);
    expect(received).toMatch(/^HTTP\/1\.1 101 /);
    expect(received.endsWith(`\r\n\r\n${payload}`)).toBe(true);
    for (const socket of [client, ...others]) socket.destroy();
  });

  it('passes WebSocket connections through', async () => {
    const server = await upstream(startUpstream((_req, res) => res.end('http')));
    const wss = new WebSocketServer({ server: server.server });
    wss.on('connection', (socket, req) => {
      socket.send(`hello ${req.headers['x-forwarded-host']}`);
      socket.on('message', (data) => socket.send(`echo:${String(data)}`));
    });
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const { port } = await proxyFor([{ name: 'live', upstreams: [server.upstream] }]);

    const client = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { host: 'live.localhost' } });
    const messages: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.on('message', (data) => {
        messages.push(String(data));
        if (messages.length === 1) client.send('ping');
        if (messages.length === 2) resolve();
      });
      client.on('error', reject);
    });
    await done;
    client.close();
    expect(messages).toEqual(['hello live.localhost', 'echo:ping']);
  });

  it('refuses a WebSocket to an unknown host with a 404', async () => {
    const { port } = await proxyFor([]);
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { host: 'ghost.localhost' } });
    const status = await new Promise<number>((resolve, reject) => {
      client.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      client.on('open', () => reject(new Error('connected to an unknown host')));
      client.on('error', reject);
    });
    expect(status).toBe(404);
  });

  it('lets a slow request finish on its upstream when the table is swapped under it', async () => {
    const release = deferred();
    const arrived = deferred();
    const old = await upstream(
      startUpstream((_req, res) => {
        res.write('old-');
        arrived.resolve();
        void release.promise.then(() => res.end('done'));
      }),
    );
    const next = await upstream(startNamedUpstream('new'));
    const { proxy, port } = await proxyFor([{ name: 'app', upstreams: [old.upstream] }]);

    const slow = send(port, 'app.localhost');
    await arrived.promise;
    proxy.setTable(buildRoutingTable({ domain: 'localhost', apps: [{ name: 'app', upstreams: [next.upstream] }] }));
    expect((await send(port, 'app.localhost')).body).toBe('new');
    release.resolve();
    const finished = await slow;
    expect(finished.status).toBe(200);
    expect(finished.body).toBe('old-done');
  });

  it('survives an upstream that dies in the middle of a response', async () => {
    const flaky = await upstream(
      startUpstream((_req, res) => {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial');
        setImmediate(() => res.socket?.destroy());
      }),
    );
    const healthy = await upstream(startNamedUpstream('fine'));
    const { port } = await proxyFor([
      { name: 'flaky', upstreams: [flaky.upstream] },
      { name: 'fine', upstreams: [healthy.upstream] },
    ]);
    await expect(send(port, 'flaky.localhost')).rejects.toThrow();
    expect((await send(port, 'fine.localhost')).body).toBe('fine');
  });
});
