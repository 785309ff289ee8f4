/**
 * The embedded reverse proxy: DevFlow's default router on a single machine (DESIGN.md,
 * "router/"). Routes by Host header through the current RoutingTable, balances round robin over
 * a route's upstreams with a keep-alive connection pool, streams bodies, passes Upgrade
 * (WebSocket) connections through, and answers with clear error pages when it cannot.
 *
 * The table is swapped whole (setTable); each request looks its route up once, on arrival, so a
 * request in flight keeps the upstream it started with. The same handlers serve plain HTTP and,
 * after listenHttps, HTTPS with a certificate chosen per server name (SNI, tls/sni.ts); the
 * certificates are swapped whole too (setCertificates). Pending ACME HTTP-01 challenges are
 * answered before any routing.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { rawErrorResponse, renderErrorPage, type ProxyFailure } from './error-pages.js';
import type { AcmeChallenges } from './acme/challenges.js';
import { forwardRequest } from './forward.js';
import { chooseRequestId, clientAddress, upgradeRequestHeaders, upstreamRequestHeaders, type ForwardContext } from './headers.js';
import { NO_APP, type ProxyMetrics } from './metrics.js';
import { httpsLocation, resolveRequest } from './resolve.js';
import { emptyRoutingTable, type Route, type RoutingTable } from './table.js';
import { TlsCertificates, type ServedCertificate } from './tls/sni.js';
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
  /** Pending ACME HTTP-01 challenges, answered before routing. */
  challenges?: AcmeChallenges;
  /** Where request counts and latencies go (the /metrics endpoint renders them). */
  metrics?: ProxyMetrics;
}

type Handlers = Required<Omit<EmbeddedProxyOptions, 'challenges' | 'metrics'>>;

const DEFAULTS: Handlers = {
  headersTimeoutMs: 60_000,
  upstreamTimeoutMs: 60_000,
  idleTimeoutMs: 5_000,
  requestTimeoutMs: 300_000,
};

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
  private readonly options: Handlers & Pick<EmbeddedProxyOptions, 'challenges' | 'metrics'>;
  private readonly server: http.Server;
  private httpsServer: https.Server | undefined;
  private httpsPort: number | undefined;
  private readonly certificates = new TlsCertificates();
  // Upstream connections are reused across requests; idle ones are closed before Node's default
  // 5 s server keep-alive timeout would close them under us.
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256, timeout: 4_000 });
  private readonly cursors = new WeakMap<Route, number>();
  private readonly tunnels = new Set<Duplex>();

  constructor(options: EmbeddedProxyOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.server = this.attach(http.createServer(this.serverOptions()));
  }

  private serverOptions(): http.ServerOptions {
    return {
      // We answer a missing Host ourselves, with a page that says why.
      requireHostHeader: false,
      headersTimeout: this.options.headersTimeoutMs,
      requestTimeout: Math.max(this.options.requestTimeoutMs, this.options.headersTimeoutMs),
      keepAliveTimeout: this.options.idleTimeoutMs,
      // Node enforces the two timeouts above only when it checks, every 30 s by default.
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, this.options.headersTimeoutMs / 4)),
    };
  }

  private attach<S extends http.Server>(server: S): S {
    server.on('request', (req, res) => this.handleRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket));
    return server;
  }

  listen(port: number, host?: string): Promise<number> {
    return listenOn(this.server, port, host);
  }

  /**
   * Starts the HTTPS listener. `publicPort` is the port users type (behind a port mapping it may
   * differ from the one bound); plain-HTTP redirects point there.
   */
  async listenHttps(port: number, host?: string, publicPort?: number): Promise<number> {
    const server = https.createServer({ ...this.serverOptions(), SNICallback: this.certificates.sniCallback });
    server.on('tlsClientError', () => undefined);
    this.httpsServer = this.attach(server);
    this.applyDefaultCertificate();
    const bound = await listenOn(server, port, host);
    this.httpsPort = publicPort ?? bound;
    return bound;
  }

  /** Replaces every certificate at once; returns the pairs that were refused and why. */
  setCertificates(certs: ServedCertificate[], fallback?: string): string[] {
    const problems = this.certificates.replace(certs, fallback);
    this.applyDefaultCertificate();
    return problems;
  }

  private applyDefaultCertificate(): void {
    const pair = this.certificates.defaultPair();
    if (this.httpsServer !== undefined && pair !== undefined) this.httpsServer.setSecureContext(pair);
  }

  /** Replaces the whole table at once; requests already routed are not affected. */
  setTable(table: RoutingTable): void {
    this.table = table;
  }

  async close(): Promise<void> {
    for (const socket of this.tunnels) socket.destroy();
    this.tunnels.clear();
    const servers = [this.server, ...(this.httpsServer ? [this.httpsServer] : [])];
    const closed = servers.filter((s) => s.listening).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const server of servers) server.closeAllConnections();
    this.agent.destroy();
    await Promise.all(closed);
  }

  private handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const requestId = chooseRequestId(req.headers['x-request-id']);
    const fail = (failure: ProxyFailure): void => this.sendError(req, res, failure, requestId);
    req.on('error', () => res.destroy());
    res.on('error', () => res.destroy());
    if (this.options.challenges?.respond(req, res)) return;
    const resolution = resolveRequest(this.table, req);
    this.measure(res, 'route' in resolution ? resolution.route.app : NO_APP);
    if ('failure' in resolution) {
      fail(resolution.failure);
      return;
    }
    if (this.redirectToHttps(req, res, resolution.route)) return;
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
    const resolution = resolveRequest(this.table, req);
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

  /** Counts the request once its response is done (or the client left: 499, as nginx logs it). */
  private measure(res: http.ServerResponse, app: string): void {
    const metrics = this.options.metrics;
    if (metrics === undefined) return;
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.record(app, res.writableFinished ? res.statusCode : 499, seconds);
    });
  }

  private redirectToHttps(req: http.IncomingMessage, res: http.ServerResponse, route: Route): boolean {
    if (route.httpsRedirect !== true || this.httpsPort === undefined || isEncrypted(req)) return false;
    const location = httpsLocation(req.headers.host, req.url, this.httpsPort);
    if (location === undefined) return false;
    res.writeHead(308, { location, 'content-length': 0, 'cache-control': 'no-store' });
    res.end();
    return true;
  }

  private forwardContext(req: http.IncomingMessage, requestId: string): ForwardContext {
    return { clientIp: clientAddress(req.socket.remoteAddress), proto: isEncrypted(req) ? 'https' : 'http', requestId };
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

function isEncrypted(req: http.IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

function listenOn(server: http.Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
