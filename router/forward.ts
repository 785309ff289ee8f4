/**
 * Forwards one HTTP request to an app instance and streams the answer back (RFC 9110 §7.6
 * intermediaries). Bodies are piped both ways with backpressure, never buffered.
 *
 * Retry: when the upstream refuses the connection before any byte of the request was sent, the
 * request is tried once more on the next upstream. During a rolling deploy an old instance may
 * stop between the table swap and the connect, and the client should never see that. A pooled
 * keep-alive socket that the upstream closed while idle (ECONNRESET on a reused socket) is
 * retried the same way, as long as no body byte left; so is a reset of a new connection to one
 * of several upstreams, for idempotent requests (see isRetryable).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { clientResponseHeaders } from './headers.js';
import type { ProxyFailure } from './error-pages.js';
import type { Route, Upstream } from './table.js';

export interface ForwardJob {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  route: Route;
  /** Index into route.upstreams of the first try (round robin chooses it). */
  firstIndex: number;
  headers: http.OutgoingHttpHeaders;
  requestId: string;
  agent: http.Agent;
  upstreamTimeoutMs: number;
  fail: (failure: ProxyFailure) => void;
}

class UpstreamTimeoutError extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}

/** A request framed without a body (RFC 9112 §6.3): no Content-Length above 0, no Transfer-Encoding. */
function hasNoBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

/**
 * Sends the request body once the connection is up, so a refused connect consumes nothing. Most
 * requests have no body: they are ended at once, sparing the pipe's listeners on the hot path.
 */
function sendBodyWhenConnected(job: ForwardJob, proxyReq: http.ClientRequest, onBody: () => void): void {
  if (hasNoBody(job.req)) {
    proxyReq.end();
    return;
  }
  const start = (): void => {
    if (job.req.readableEnded) {
      proxyReq.end();
      return;
    }
    job.req.once('data', onBody);
    job.req.pipe(proxyReq);
  };
  proxyReq.once('socket', (socket: Socket) => {
    if (socket.connecting) socket.once('connect', start);
    else start();
  });
}

function relayResponse(job: ForwardJob, proxyRes: http.IncomingMessage): void {
  const { res } = job;
  res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, clientResponseHeaders(proxyRes.headers, job.requestId));
  proxyRes.on('error', () => res.destroy());
  proxyRes.pipe(res);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * A refused connect never reached the app, so any request may go to the next upstream. A reset
 * before any response byte means either a reused pooled socket the app closed while idle, or a
 * new connection accepted by a port proxy in front of an instance that is going away (Docker's
 * userland proxy, Swarm's host-mode ports, where the task the engine stops may not be the one
 * DevFlow drained). The request may have arrived, so only idempotent requests are sent again.
 */
function isRetryable(err: unknown, proxyReq: http.ClientRequest, job: ForwardJob): boolean {
  const code = errorCode(err);
  if (code === 'ECONNREFUSED') return job.route.upstreams.length > 1;
  if (code !== 'ECONNRESET' && code !== 'EPIPE') return false;
  return IDEMPOTENT.has(job.req.method ?? 'GET') && (proxyReq.reusedSocket || job.route.upstreams.length > 1);
}

function failureFor(err: unknown, job: ForwardJob): ProxyFailure {
  if (err instanceof UpstreamTimeoutError) {
    return { kind: 'upstream-timeout', app: job.route.app, timeoutMs: job.upstreamTimeoutMs };
  }
  return { kind: 'upstream-unreachable', app: job.route.app, code: errorCode(err) };
}

export function forwardRequest(job: ForwardJob): void {
  let retried = false;
  let current: http.ClientRequest | undefined;
  let clientGone = false;
  job.res.once('close', () => {
    if (job.res.writableFinished) return;
    // The client went away: stop the upstream work too, without answering anyone.
    clientGone = true;
    current?.destroy();
  });

  const attempt = (index: number): void => {
    const upstream = job.route.upstreams[index % job.route.upstreams.length] as Upstream;
    let bodySent = false;
    const proxyReq = http.request({
      host: upstream.host,
      port: upstream.port,
      method: job.req.method,
      path: job.req.url,
      headers: job.headers,
      agent: job.agent,
    });
    current = proxyReq;
    const timer = setTimeout(() => {
      proxyReq.destroy(new UpstreamTimeoutError(`no response within ${job.upstreamTimeoutMs} ms`));
    }, job.upstreamTimeoutMs);
    sendBodyWhenConnected(job, proxyReq, () => (bodySent = true));
    proxyReq.once('response', (proxyRes) => {
      clearTimeout(timer);
      relayResponse(job, proxyRes);
    });
    proxyReq.on('error', (err) => {
      clearTimeout(timer);
      job.req.unpipe(proxyReq);
      if (clientGone) return;
      if (job.res.headersSent) {
        job.res.destroy();
        return;
      }
      if (!retried && !bodySent && isRetryable(err, proxyReq, job)) {
        retried = true;
        attempt(index + 1);
        return;
      }
      job.fail(failureFor(err, job));
    });
  };
  attempt(job.firstIndex);
}
