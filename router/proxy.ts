/**
 * The embedded reverse proxy: DevFlow's default router on a single machine (DESIGN.md,
 * "router/"). Routes by Host header through the current RoutingTable, balances round robin over
 * a route's upstreams with a keep-alive connection pool, streams bodies, passes Upgrade
 * (WebSocket) connections through, and answers with clear error pages when it cannot.
 *
 * It speaks HTTP/1.1 on raw sockets with llhttp (http1/parser.ts, in WebAssembly) rather than
 * through node:http, whose per-message stream objects cost most of the proxy's time
 * (docs/benchmarks.md, "Router").
 * Each client connection is a ClientConnection (client-connection.ts); each request an Exchange
 * (exchange.ts). One timer enforces every timeout, so requests set no timers of their own.
 *
 * The table is swapped whole (setTable); each request looks its route up once, on arrival, so a
 * request in flight keeps the upstream it started with. The same connections serve plain HTTP
 * and, after listenHttps, HTTPS with a certificate chosen per server name (SNI, tls/sni.ts); the
 * certificates are swapped whole too (setCertificates). Pending ACME HTTP-01 challenges are
 * answered before any routing.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { AcmeChallenges } from './acme/challenges.js';
import { ClientConnection, type ProxyContext, type ProxyTimeouts } from './client-connection.js';
import type { ProxyMetrics } from './metrics.js';
import type { FirstRequestWatch } from './tracing/first-request.js';
import type { RouterTracer } from './tracing/tracer.js';
import { emptyRoutingTable, type Route, type RoutingTable } from './table.js';
import { TlsCertificates, type ServedCertificate } from './tls/sni.js';
import { UpstreamPool } from './upstream-pool.js';

export interface EmbeddedProxyOptions {
  /** Time a client has to send the request headers. Default 60 s. */
  headersTimeoutMs?: number;
  /** Time an upstream has to start its response before the client gets a 504. Default 60 s. */
  upstreamTimeoutMs?: number;
  /** How long idle keep-alive client connections stay open. Default 5 s. */
  idleTimeoutMs?: number;
  /** Time a client has to send the whole request, body included. Default 300 s. */
  requestTimeoutMs?: number;
  /** Pending ACME HTTP-01 challenges, answered before routing. */
  challenges?: AcmeChallenges;
  /** Where request counts and latencies go (the /metrics endpoint renders them). */
  metrics?: ProxyMetrics;
  /** Starts a span per request and passes a traceparent to the app (tracing/); none: tracing off. */
  tracer?: RouterTracer;
  /** Told of each response relayed from an instance, to find each release's first request (tracing/first-request.ts). */
  firstRequests?: FirstRequestWatch;
}

const DEFAULTS: ProxyTimeouts = {
  headersTimeoutMs: 60_000,
  upstreamTimeoutMs: 60_000,
  idleTimeoutMs: 5_000,
  requestTimeoutMs: 300_000,
};

export class EmbeddedProxy implements ProxyContext {
  table: RoutingTable = emptyRoutingTable();
  readonly timeouts: ProxyTimeouts;
  readonly pool = new UpstreamPool();
  readonly metrics: ProxyMetrics | undefined;
  readonly tracer: RouterTracer | undefined;
  readonly firstRequests: FirstRequestWatch | undefined;
  httpsPort: number | undefined;
  private readonly challenges: AcmeChallenges | undefined;
  private readonly server: net.Server;
  private httpsServer: tls.Server | undefined;
  private readonly certificates = new TlsCertificates();
  private readonly cursors = new WeakMap<Route, number>();
  private readonly connections = new Set<ClientConnection>();
  private readonly tunnels = new Set<net.Socket>();
  private readonly timer: NodeJS.Timeout;

  constructor(options: EmbeddedProxyOptions = {}) {
    const { challenges, metrics, tracer, firstRequests, ...timeouts } = options;
    this.timeouts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(timeouts).filter(([, v]) => v !== undefined)) };
    this.challenges = challenges;
    this.metrics = metrics;
    this.tracer = tracer;
    this.firstRequests = firstRequests;
    // allowHalfOpen: a client that sends its request and shuts its side still gets the answer.
    // pauseOnConnect: no read before the connection chooses how to read (client-reader.ts).
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket, false));
    const smallest = Math.min(...Object.values(this.timeouts));
    this.timer = setInterval(() => this.checkDeadlines(), Math.min(1_000, Math.max(25, smallest / 4)));
    this.timer.unref();
  }

  private accept(socket: net.Socket, encrypted: boolean): void {
    this.connections.add(new ClientConnection(socket, encrypted, this));
  }

  private checkDeadlines(): void {
    const now = performance.now();
    for (const connection of this.connections) connection.checkDeadlines(now);
    this.pool.sweep(now);
  }

  listen(port: number, host?: string): Promise<number> {
    return listenOn(this.server, port, host);
  }

  /**
   * Starts the HTTPS listener. `publicPort` is the port users type (behind a port mapping it may
   * differ from the one bound); plain-HTTP redirects point there.
   */
  async listenHttps(port: number, host?: string, publicPort?: number): Promise<number> {
    const server = tls.createServer({ allowHalfOpen: true, SNICallback: this.certificates.sniCallback });
    server.on('secureConnection', (socket) => this.accept(socket, true));
    server.on('tlsClientError', () => undefined);
    this.httpsServer = server;
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

  challenge(url: string): string | undefined {
    return this.challenges?.lookup(url);
  }

  /** Round robin per route; a new table starts every route afresh. */
  nextIndex(route: Route): number {
    const index = this.cursors.get(route) ?? 0;
    this.cursors.set(route, (index + 1) % route.upstreams.length);
    return index;
  }

  track(socket: net.Socket): void {
    this.tunnels.add(socket);
    socket.once('close', () => this.tunnels.delete(socket));
  }

  closed(connection: ClientConnection): void {
    this.connections.delete(connection);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const servers = [this.server, ...(this.httpsServer ? [this.httpsServer] : [])];
    const closed = servers.filter((s) => s.listening).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const socket of this.tunnels) socket.destroy();
    this.tunnels.clear();
    for (const connection of [...this.connections]) connection.destroy();
    this.pool.destroy();
    await Promise.all(closed);
  }
}

function listenOn(server: net.Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
