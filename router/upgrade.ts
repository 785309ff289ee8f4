/**
 * Upgrade passthrough (RFC 9110 §7.8; WebSocket handshake RFC 6455 §4). The handshake is sent to
 * the upstream as an HTTP request; once it answers 101 the two raw sockets are piped together and
 * the proxy no longer looks at the bytes. A non-101 answer is relayed as a normal response.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Route, Upstream } from './table.js';
import type { ProxyFailure } from './error-pages.js';

export interface UpgradeJob {
  req: http.IncomingMessage;
  socket: Duplex;
  head: Buffer;
  route: Route;
  firstIndex: number;
  headers: http.OutgoingHttpHeaders;
  upstreamTimeoutMs: number;
  /** Called with each socket that stays open after the handshake, so close() can end it. */
  track: (socket: Duplex) => void;
  fail: (failure: ProxyFailure) => void;
}

/** The status line and headers of an upstream answer, as raw HTTP/1.1 bytes. */
function responseHead(res: http.IncomingMessage): string {
  const lines = [`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}`];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function joinSockets(job: UpgradeJob, upstream: Duplex, upstreamHead: Buffer, proxyRes: http.IncomingMessage): void {
  const { socket } = job;
  const closeBoth = (): void => {
    socket.destroy();
    upstream.destroy();
  };
  socket.on('error', closeBoth);
  upstream.on('error', closeBoth);
  socket.on('close', closeBoth);
  upstream.on('close', closeBoth);
  job.track(socket);
  job.track(upstream);
  socket.write(responseHead(proxyRes));
  if (upstreamHead.length > 0) socket.write(upstreamHead);
  if (job.head.length > 0) upstream.write(job.head);
  upstream.pipe(socket);
  socket.pipe(upstream);
}

function relayRefusal(job: UpgradeJob, proxyRes: http.IncomingMessage): void {
  job.socket.write(responseHead(proxyRes));
  proxyRes.pipe(job.socket);
  proxyRes.on('error', () => job.socket.destroy());
}

export function forwardUpgrade(job: UpgradeJob): void {
  let retried = false;
  let current: http.ClientRequest | undefined;
  job.socket.on('error', () => job.socket.destroy());
  // A client that leaves during the handshake takes the pending upstream connection with it.
  job.socket.once('close', () => current?.destroy());

  const attempt = (index: number): void => {
    const upstream = job.route.upstreams[index % job.route.upstreams.length] as Upstream;
    // A fresh connection: an upgraded socket leaves HTTP for good, so it must not come from a pool.
    const proxyReq = http.request({
      host: upstream.host,
      port: upstream.port,
      method: job.req.method,
      path: job.req.url,
      headers: job.headers,
      agent: false,
    });
    current = proxyReq;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proxyReq.destroy();
    }, job.upstreamTimeoutMs);
    proxyReq.once('upgrade', (proxyRes, upstreamSocket, upstreamHead) => {
      clearTimeout(timer);
      joinSockets(job, upstreamSocket, upstreamHead, proxyRes);
    });
    proxyReq.once('response', (proxyRes) => {
      clearTimeout(timer);
      relayRefusal(job, proxyRes);
    });
    proxyReq.on('error', (err) => {
      clearTimeout(timer);
      if (job.socket.destroyed) return;
      const code = (err as { code?: string }).code ?? 'ERROR';
      if (!retried && code === 'ECONNREFUSED' && job.route.upstreams.length > 1) {
        retried = true;
        attempt(index + 1);
        return;
      }
      if (timedOut) job.fail({ kind: 'upstream-timeout', app: job.route.app, timeoutMs: job.upstreamTimeoutMs });
      else job.fail({ kind: 'upstream-unreachable', app: job.route.app, code });
    });
    proxyReq.end();
  };
  attempt(job.firstIndex);
}
