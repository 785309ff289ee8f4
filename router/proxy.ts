/**
 * The embedded reverse proxy: DevFlow's default router on a single machine (DESIGN.md,
 * "router/"). Routes by Host header through the current RoutingTable, balances round robin over
 * a route's upstreams with a keep-alive connection pool, streams bodies, passes Upgrade
 * (WebSocket) connections through, and answers with clear error pages when it cannot.
 *
 * The table is swapped whole (setTable); each request looks its route up once, on arrival, so a
 * request in flight keeps the upstream it started with.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { rawErrorResponse, renderErrorPage, type ProxyFailure } from './error-pages.js';
import { forwardRequest } from './forward.js';
import { chooseRequestId, clientAddress, upgradeRequestHeaders, upstreamRequestHeaders, type ForwardContext } from './headers.js';
import { emptyRoutingTable, hostFromHeader, lookupRoute, type Route, type RoutingTable } from './table.js';
import { forwardUpgrade } from './upgrade.js';

export interface EmbeddedProxyOptions {
  /** Time a client has to send the request headers (server.headersTimeout). Default 60 s. */
  headersTimeoutMs?: number;
  /** Time an upstream has to start its response before the client gets a 504. Default 60 s. */
  upstreamTimeoutMs?: number;
  /** How long idle keep-alive client connections stay open. Default 5 s. */
  idleTimeoutMs?: number;
  /** Time a client has to send the whole request, body included (server.requestTimeout). Default 300 s. */
  requestTimeoutMs?: number;
}

const DEFAULTS: Required<EmbeddedProxyOptions> = {
  headersTimeoutMs: 60_000,
  upstreamTimeoutMs: 60_000,
  idleTimeoutMs: 5_000,
  requestTimeoutMs: 300_000,
};

/** Either a route that can take the request, or the reason it cannot. */
type Resolution = { route: Route } | { failure: ProxyFailure };

export function resolveRoute(table: RoutingTable, hostHeader: string | undefined): Resolution {
  const host = hostFromHeader(hostHeader);
  if (host === undefined) return { failure: { kind: 'missing-host' } };
  const route = lookupRoute(table, host);
  if (route === undefined) return { failure: { kind: 'unknown-host', host } };
  if (route.state === 'crashed') return { failure: { kind: 'crashed', app: route.app } };
  if (route.upstreams.length === 0) return { failure: { kind: 'no-instance', app: route.app } };
  return { route };
}

/** Requests Node could not parse or that came too slowly never reach a handler: answer them here. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
    : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
    : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

export class EmbeddedProxy {
  private table: RoutingTable = emptyRoutingTable();
  private readonly options: Required<EmbeddedProxyOptions>;
  private readonly server: http.Server;
  // Upstream connections are reused across requests; idle ones are closed before Node's default
  // 5 s server keep-alive timeout would close them under us.
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256, timeout: 4_000 });
  private readonly cursors = new WeakMap<Route, number>();
  private readonly tunnels = new Set<Duplex>();

  constructor(options: EmbeddedProxyOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.server = http.createServer({
      // We answer a missing Host ourselves, with a page that says why.
      requireHostHeader: false,
      headersTimeout: this.options.headersTimeoutMs,
      requestTimeout: Math.max(this.options.requestTimeoutMs, this.options.headersTimeoutMs),
      keepAliveTimeout: this.options.idleTimeoutMs,
      // Node enforces the two timeouts above only when it checks, every 30 s by default.
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, this.options.headersTimeoutMs / 4)),
    });
    this.server.on('request', (req, res) => this.handleRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket));
  }

  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Replaces the whole table at once; requests already routed are not affected. */
  setTable(table: RoutingTable): void {
    this.table = table;
  }

  async close(): Promise<void> {
    for (const socket of this.tunnels) socket.destroy();
    this.tunnels.clear();
    const wasListening = this.server.listening;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    this.agent.destroy();
    if (wasListening) await closed;
  }

  private handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const requestId = chooseRequestId(req.headers['x-request-id']);
    const fail = (failure: ProxyFailure): void => this.sendError(req, res, failure, requestId);
    req.on('error', () => res.destroy());
    res.on('error', () => res.destroy());
    const resolution = resolveRoute(this.table, req.headers.host);
    if ('failure' in resolution) {
      fail(resolution.failure);
      return;
    }
    forwardRequest({
      req,
      res,
      route: resolution.route,
      firstIndex: this.nextIndex(resolution.route),
      headers: upstreamRequestHeaders(req.headers, this.forwardContext(req, requestId)),
      requestId,
      agent: this.agent,
      upstreamTimeoutMs: this.options.upstreamTimeoutMs,
      fail,
    });
  }

  private handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const requestId = chooseRequestId(req.headers['x-request-id']);
    const fail = (failure: ProxyFailure): void => {
      const page = renderErrorPage(failure, req.headers.accept, requestId);
      if (socket.writable) socket.end(rawErrorResponse(page, requestId));
      else socket.destroy();
    };
    const resolution = resolveRoute(this.table, req.headers.host);
    if ('failure' in resolution) {
      socket.on('error', () => socket.destroy());
      fail(resolution.failure);
      return;
    }
    forwardUpgrade({
      req,
      socket,
      head,
      route: resolution.route,
      firstIndex: this.nextIndex(resolution.route),
      headers: upgradeRequestHeaders(req.headers, this.forwardContext(req, requestId)),
      upstreamTimeoutMs: this.options.upstreamTimeoutMs,
      track: (s) => {
        this.tunnels.add(s);
        s.once('close', () => this.tunnels.delete(s));
      },
      fail,
    });
  }

  private forwardContext(req: http.IncomingMessage, requestId: string): ForwardContext {
    const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
    return { clientIp: clientAddress(req.socket.remoteAddress), proto: encrypted ? 'https' : 'http', requestId };
  }

  /** Round robin per route; a new table starts every route afresh. */
  private nextIndex(route: Route): number {
    const index = this.cursors.get(route) ?? 0;
    this.cursors.set(route, (index + 1) % route.upstreams.length);
    return index;
  }

  private sendError(req: http.IncomingMessage, res: http.ServerResponse, failure: ProxyFailure, requestId: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const page = renderErrorPage(failure, req.headers.accept, requestId);
    res.writeHead(page.status, {
      'content-type': page.contentType,
      'content-length': Buffer.byteLength(page.body),
      'cache-control': 'no-store',
      'x-request-id': requestId,
    });
    res.end(page.body);
  }
}
