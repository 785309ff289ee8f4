/**
 * Upgrade passthrough (RFC 9110 §7.8; WebSocket handshake RFC 6455 §4). The handshake head goes
 * to a fresh upstream connection (an upgraded connection leaves HTTP for good, so it never comes
 * from the pool), then bytes flow both ways untouched: the upstream's 101, or its refusal, reaches
 * the client as the app wrote it. Until the upstream's first byte the proxy still answers for it:
 * a refused connect is retried on the next instance, silence past the timeout gets a 504 page.
 */
import net from 'node:net';
import type { ProxyFailure } from './error-pages.js';
import type { Route, Upstream } from './table.js';

export interface TunnelJob {
  client: net.Socket;
  /** Bytes the client sent after its handshake head (already the new protocol). */
  head: Buffer;
  route: Route;
  firstIndex: number;
  /** The serialized handshake head for the upstream (headers.ts, with the Upgrade pair). */
  requestHead: string;
  upstreamTimeoutMs: number;
  /** Called with each socket that stays open, so the proxy's close() can end it. */
  track: (socket: net.Socket) => void;
  /** Sends the client's bytes, from now on, to the upstream (client-reader.ts relayTo). */
  relayClient: (upstream: net.Socket) => void;
  fail: (failure: ProxyFailure) => void;
}

export function openTunnel(job: TunnelJob): void {
  const { client } = job;
  let retried = false;
  let current: net.Socket | undefined;
  client.once('close', () => current?.destroy());

  const attempt = (index: number): void => {
    const upstream = job.route.upstreams[index % job.route.upstreams.length] as Upstream;
    const socket = net.connect({ host: upstream.host, port: upstream.port, noDelay: true });
    current = socket;
    let answered = false;
    let failure: ProxyFailure | undefined;
    const timer = setTimeout(() => {
      failure = { kind: 'upstream-timeout', app: job.route.app, timeoutMs: job.upstreamTimeoutMs };
      socket.destroy();
    }, job.upstreamTimeoutMs);
    socket.write(job.requestHead, 'latin1');
    if (job.head.length > 0) socket.write(job.head);
    socket.once('data', () => {
      answered = true;
      clearTimeout(timer);
    });
    socket.once('connect', () => join(job, socket));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      failure ??= { kind: 'upstream-unreachable', app: job.route.app, code: err.code ?? 'ERROR' };
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (answered || client.destroyed) {
        // An ended client still flushes what the upstream sent last; anything else is cut.
        if (!client.writableEnded) client.destroy();
        return;
      }
      const reason = failure ?? { kind: 'upstream-unreachable', app: job.route.app, code: 'ECONNRESET' };
      if (!retried && reason.kind === 'upstream-unreachable' && reason.code === 'ECONNREFUSED' && job.route.upstreams.length > 1) {
        retried = true;
        attempt(index + 1);
        return;
      }
      job.fail(reason);
    });
  };
  attempt(job.firstIndex);
}

function join(job: TunnelJob, upstream: net.Socket): void {
  const { client } = job;
  job.track(client);
  job.track(upstream);
  upstream.pipe(client, { end: false });
  job.relayClient(upstream);
  client.on('error', () => client.destroy());
  client.once('close', () => upstream.destroy());
  // Either side ending ends the tunnel; WebSocket has its own close handshake inside the bytes.
  client.once('end', () => upstream.end());
  upstream.once('end', () => client.end());
}
