/**
 * Test fixtures for the router: real HTTP upstreams on ephemeral ports and a client that can set
 * any Host header. Used by the proxy tests only.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { EmbeddedProxy, type EmbeddedProxyOptions } from './proxy.js';
import type { ProbeReply, ProbeRequest } from './proxy-process.fixture.js';
import type { RoutingInput, Upstream } from './table.js';

export interface TestServer {
  upstream: Upstream;
  server: http.Server;
  close(): Promise<void>;
}

export async function startUpstream(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    upstream: { host: '127.0.0.1', port },
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An upstream that answers every request with its own name. */
export function startNamedUpstream(name: string): Promise<TestServer> {
  return startUpstream((_req, res) => res.end(name));
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<Upstream> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { host: '127.0.0.1', port };
}

export async function startProxy(options?: EmbeddedProxyOptions): Promise<{ proxy: EmbeddedProxy; port: number }> {
  const proxy = new EmbeddedProxy(options);
  const port = await proxy.listen(0, '127.0.0.1');
  return { proxy, port };
}

export interface TestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestRequest {
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string;
}

/** Sends one request to the proxy with the given Host header and collects the answer. */
export function send(port: number, host: string, request: TestRequest = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: request.method ?? 'GET',
        path: request.path ?? '/',
        headers: { ...request.headers, host },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Sends raw bytes (for requests an HTTP client will not produce) and returns the raw answer. */
export function sendRaw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
    socket.on('error', reject);
  });
}

/** A promise with its resolve function outside, to hold an upstream response until the test says so. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export interface ProxyProcess {
  port: number;
  setTable(input: RoutingInput): Promise<void>;
  /** Collects garbage in the proxy process and starts measuring its peak resident memory anew. */
  resetPeak(): Promise<void>;
  /** How far the proxy's resident memory rose above the last reset, at its peak. */
  peakGrowth(): Promise<number>;
  close(): Promise<void>;
}

/** Starts an EmbeddedProxy in a child process (see proxy-process.fixture.ts). */
export async function startProxyProcess(): Promise<ProxyProcess> {
  const script = fileURLToPath(new URL('./proxy-process.fixture.ts', import.meta.url));
  const child = fork(script, [], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: 'inherit' });
  const ask = async (request: ProbeRequest): Promise<ProbeReply> => {
    const answer = once(child, 'message') as Promise<[ProbeReply]>;
    child.send(request);
    return (await answer)[0];
  };
  const [ready] = (await once(child, 'message')) as [ProbeReply];
  if (ready.type !== 'ready') throw new Error(`proxy process said ${JSON.stringify(ready)}`);
  return {
    port: ready.port,
    setTable: async (input) => void (await ask({ type: 'table', input })),
    resetPeak: async () => void (await ask({ type: 'reset-peak' })),
    peakGrowth: async () => {
      const answer = await ask({ type: 'peak' });
      return answer.type === 'peak' ? answer.growth : Number.NaN;
    },
    close: async () => {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}
