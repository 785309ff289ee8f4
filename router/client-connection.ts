/**
 * One client connection to the embedded proxy: reads requests with the HTTP/1.1 parser, decides
 * where each goes (resolve.ts), and answers them in order. Pipelined requests wait in a queue
 * behind the one in flight, so responses leave in request order and each is routed by its own
 * Host. The connection also keeps its client's clock: idle, head and whole-request timeouts.
 */
import type net from 'node:net';
import { pageResponse, rawResponse, renderErrorPage, type LocalResponse, type ProxyFailure } from './error-pages.js';
import { ClientReader } from './client-reader.js';
import { Exchange, type ExchangeOwner } from './exchange.js';
import {
  chooseRequestId,
  clientAddress,
  readRequestFields,
  readRequestFieldsBytes,
  upstreamRequestHead,
  upstreamRequestHeadBytes,
  type ClientPersistence,
  type ForwardContext,
  type RequestFields,
  type RequestLine,
} from './headers.js';
import { Http1Parser, isParseError, type MessageHead } from './http1/parser.js';
import { NO_APP, type ProxyMetrics } from './metrics.js';
import { decideRequest, type RequestAction } from './resolve.js';
import { lookupRoute, type Route, type RoutingTable } from './table.js';
import { openTunnel } from './tunnel.js';
import type { UpstreamPool } from './upstream-pool.js';
import type { FirstRequestWatch } from './tracing/first-request.js';
import type { RouterTracer } from './tracing/tracer.js';

export interface ProxyTimeouts {
  headersTimeoutMs: number;
  upstreamTimeoutMs: number;
  idleTimeoutMs: number;
  requestTimeoutMs: number;
}

/** What a connection needs from the proxy that accepted it. */
export interface ProxyContext {
  readonly table: RoutingTable;
  readonly timeouts: ProxyTimeouts;
  readonly pool: UpstreamPool;
  readonly metrics: ProxyMetrics | undefined;
  /** Set when the router traces requests (tracing/tracer.ts). */
  readonly tracer: RouterTracer | undefined;
  /** Finds each release's first request (tracing/first-request.ts). */
  readonly firstRequests: FirstRequestWatch | undefined;
  readonly httpsPort: number | undefined;
  challenge(url: string): string | undefined;
  nextIndex(route: Route): number;
  track(socket: net.Socket): void;
  closed(connection: ClientConnection): void;
}

/** Pipelined requests read ahead of the one being answered before the proxy stops reading. */
const MAX_QUEUED = 16;

/** Which clock runs for the client: between requests, within a head, within a body, or none. */
type ClientPhase = 'idle' | 'head' | 'body' | 'waiting' | 'tunnel';

interface Queued {
  exchange: Exchange;
  action: RequestAction;
  fields: RequestFields;
  upgrade: boolean;
  /**
   * The request line and fields as strings, for a request started after its onHead (queued behind
   * another, or an upgrade): by then the read buffer its head came in holds other bytes.
   */
  line: RequestLine | undefined;
  /** Upgrade requests: the bytes after the head, already the new protocol. */
  tunnelHead?: Buffer;
}

export class ClientConnection implements ExchangeOwner {
  private readonly parser: Http1Parser;
  private readonly reader: ClientReader;
  private readonly queue: Queued[] = [];
  private phase: ClientPhase = 'idle';
  private deadline: number;
  private upgrade: Queued | undefined;
  private clientEnded = false;
  private closing = false;

  constructor(readonly socket: net.Socket, private readonly encrypted: boolean, private readonly ctx: ProxyContext) {
    this.deadline = performance.now() + ctx.timeouts.idleTimeoutMs;
    this.parser = new Http1Parser('request', {
      onMessageBegin: () => this.setPhase('head', ctx.timeouts.headersTimeoutMs),
      onHead: (head) => this.onHead(head),
      // Body bytes may view the shared read buffer; an exchange keeps or queues what it gets.
      onBody: (chunk) => this.parsing()?.exchange.requestBody(this.reader.reusesBuffer ? Buffer.from(chunk) : chunk),
      onMessageComplete: () => this.onMessageComplete(),
    });
    socket.setNoDelay(true);
    // Plain connections arrive paused (proxy.ts), so they can still be read into the shared buffer.
    this.reader = new ClientReader(socket, this.onData, !encrypted);
    socket.on('end', () => this.onEnd());
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.onClose());
  }

  get pool(): UpstreamPool {
    return this.ctx.pool;
  }

  currentRoute(route: Route): Route | undefined {
    const now = lookupRoute(this.ctx.table, route.host);
    // A preview route or another app's wildcard is never a stand-in for this one.
    return now === undefined || now.app !== route.app || now.preview !== route.preview ? undefined : now;
  }

  /** One read from the client; false stops reading (ClientReader). */
  private readonly onData = (data: Buffer): boolean => {
    if (this.closing) return true; // our side has ended: the rest is discarded
    const consumed = this.parser.execute(data);
    if (isParseError(consumed)) {
      this.refuseMalformed(consumed.code);
      return true;
    }
    this.throttle();
    if (this.upgrade !== undefined && this.upgrade.tunnelHead === undefined) {
      // The parser stops at an upgrade head; what follows is not HTTP and is never parsed.
      this.reader.hold();
      this.upgrade.tunnelHead = Buffer.from(data.subarray(consumed));
      if (this.queue[0] === this.upgrade) this.start(this.upgrade, performance.now());
    }
    return true;
  };

  /**
   * A client that pipelines requests without reading the answers is not read further until it
   * catches up: at most one packet of requests waits in the queue, and answers the proxy makes
   * itself (error pages) cannot pile up in the socket's buffer.
   */
  private throttle(): void {
    if (this.socket.writableNeedDrain) {
      this.socket.pause();
      this.socket.once('drain', () => this.socket.resume());
    } else if (this.queue.length > MAX_QUEUED) this.socket.pause(); // startNext resumes
  }

  private setPhase(phase: ClientPhase, timeoutMs: number, now = performance.now()): void {
    this.phase = phase;
    this.deadline = now + timeoutMs;
  }

  /** The exchange whose request the parser is reading. */
  private parsing(): Queued | undefined {
    return this.queue[this.queue.length - 1];
  }

  private onHead(head: MessageHead): boolean {
    const now = performance.now();
    this.setPhase('body', this.ctx.timeouts.requestTimeoutMs, now);
    const fields = head.bytes === undefined ? readRequestFields(head.rawHeaders) : readRequestFieldsBytes(head.bytes);
    const http10 = head.versionMajor === 1 && head.versionMinor === 0;
    const persistence: ClientPersistence = !head.keepAlive ? 'close' : http10 ? 'keep-alive-1.0' : 'keep-alive';
    const exchange = new Exchange(this, head.method, chooseRequestId(fields.requestId), persistence, http10);
    exchange.startedAt = now;
    const action = decideRequest(this.ctx.table, {
      method: head.method, url: head.url, host: fields.host, hostCount: fields.hostCount, upgrade: head.upgrade, encrypted: this.encrypted,
    }, this.ctx);
    exchange.app = action.kind === 'forward' || action.kind === 'upgrade' ? action.route.app : action.kind === 'redirect' ? action.app : NO_APP;
    // A request that reaches an app's route (or fails for it) is traced; upgrades become tunnels, not spans.
    const tracer = this.ctx.tracer;
    if (tracer !== undefined && exchange.app !== NO_APP && !head.upgrade) tracer.begin(exchange, exchange.app, fields.traceparent, fields.host, head.url);
    const queued: Queued = { exchange, action, fields, upgrade: head.upgrade, line: undefined };
    if (head.upgrade) this.upgrade = queued;
    this.queue.push(queued);
    if (this.queue.length === 1 && !head.upgrade) this.start(queued, now, head);
    else queued.line = { method: head.method, url: head.url, rawHeaders: head.rawHeaders };
    return false;
  }

  private onMessageComplete(): void {
    this.phase = 'waiting';
    this.parsing()?.exchange.requestEnd();
  }

  /** `head`: given while onHead runs, when its fields may still be read from their bytes. */
  private start(queued: Queued, now: number, head?: MessageHead): void {
    const { exchange, action, fields } = queued;
    switch (action.kind) {
      case 'challenge':
        this.answer(queued, { status: 200, headers: [['Content-Type', 'text/plain']], body: action.keyAuthorization });
        return;
      case 'fail':
        this.answer(queued, pageResponse(renderErrorPage(action.failure, fields.accept, exchange.requestId)));
        return;
      case 'redirect':
        this.answer(queued, { status: 308, headers: [['Location', action.location]], body: '' });
        return;
      case 'forward':
        exchange.forward({
          route: action.route,
          firstIndex: this.ctx.nextIndex(action.route),
          head: head?.bytes !== undefined
            ? upstreamRequestHeadBytes(head, head.bytes, fields, this.forwardContext(exchange))
            : upstreamRequestHead(head ?? queued.line!, fields, this.forwardContext(exchange)),
          chunkedBody: fields.chunked,
          upstreamTimeoutMs: this.ctx.timeouts.upstreamTimeoutMs,
        }, now);
        return;
      case 'upgrade':
        this.startTunnel(queued, action.route);
        return;
      default: {
        const never: never = action;
        throw new Error(`unknown request action ${JSON.stringify(never)}`);
      }
    }
  }

  private startTunnel(queued: Queued, route: Route): void {
    this.phase = 'tunnel';
    const { exchange } = queued;
    openTunnel({
      client: this.socket,
      head: queued.tunnelHead ?? Buffer.alloc(0),
      route,
      firstIndex: this.ctx.nextIndex(route),
      requestHead: upstreamRequestHead(queued.line!, queued.fields, this.forwardContext(exchange), true),
      upstreamTimeoutMs: this.ctx.timeouts.upstreamTimeoutMs,
      track: (socket) => this.ctx.track(socket),
      relayClient: (upstream) => this.reader.relayTo(upstream),
      fail: (failure) => this.exchangeFailed(exchange, failure),
    });
  }

  private forwardContext(exchange: Exchange): ForwardContext {
    const ctx: ForwardContext = { clientIp: clientAddress(this.socket.remoteAddress), proto: this.encrypted ? 'https' : 'http', requestId: exchange.requestId };
    if (exchange.traceId !== '') ctx.trace = exchange;
    return ctx;
  }

  /**
   * Answers with a response the proxy makes itself. The connection stays open only if the
   * request has no body, or its body was read whole: unread body bytes would be taken for the
   * next request. After an upgrade head nothing is HTTP any more.
   */
  private answer(queued: Queued, response: LocalResponse): void {
    const { exchange, fields } = queued;
    const bodyless = !fields.chunked && (fields.contentLength === undefined || fields.contentLength === '0');
    const close = exchange.persistence === 'close' || queued.upgrade || (!bodyless && !exchange.requestComplete);
    exchange.closeAfter = close;
    if (!this.socket.destroyed) this.socket.write(rawResponse(response, exchange.requestId, { head: exchange.method === 'HEAD', close }));
    exchange.finish(response.status);
  }

  exchangeFailed(exchange: Exchange, failure: ProxyFailure): void {
    const queued = this.queue.find((q) => q.exchange === exchange);
    if (exchange.responding || queued === undefined) {
      this.socket.destroy();
      exchange.finish(502);
      return;
    }
    this.answer(queued, pageResponse(renderErrorPage(failure, queued.fields.accept, exchange.requestId)));
  }

  exchangeDone(exchange: Exchange, status: number): void {
    const now = performance.now();
    this.ctx.metrics?.record(exchange.app, status, (now - exchange.startedAt) / 1000, exchange.bytes);
    if (exchange.traceId !== '') this.ctx.tracer!.end(exchange, status, now);
    if (exchange.relayed) this.ctx.firstRequests?.relayed(exchange.app, exchange.route?.release, exchange.startedAt, now);
    if (this.queue[0]?.exchange === exchange) this.queue.shift();
    if (this.socket.destroyed || this.closing) return;
    if (exchange.closeAfter) {
      this.closeGracefully();
      return;
    }
    this.startNext(now);
  }

  /** Ends our side; a client that never ends its own is cut after the idle timeout. */
  private closeGracefully(lastBytes?: string): void {
    this.closing = true;
    this.deadline = performance.now() + this.ctx.timeouts.idleTimeoutMs;
    if (lastBytes === undefined) this.socket.end();
    else this.socket.end(lastBytes);
  }

  private startNext(now: number): void {
    const next = this.queue[0];
    if (next !== undefined) {
      if (this.socket.isPaused()) this.socket.resume();
      // An upgrade starts once the parser has handed over the bytes after its head.
      if (next !== this.upgrade || next.tunnelHead !== undefined) this.start(next, now);
      return;
    }
    if (this.clientEnded) this.socket.end();
    else if (this.phase === 'waiting') this.setPhase('idle', this.ctx.timeouts.idleTimeoutMs, now);
  }

  /** A request the parser refused (smuggling attempts among them) ends the connection. */
  private refuseMalformed(code: string): void {
    if (this.queue.length > 0 || this.socket.destroyed) {
      // Earlier pipelined requests are still being answered; no room for a clean status.
      this.socket.destroy();
      return;
    }
    const status = code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    this.closeGracefully(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  }

  private onEnd(): void {
    this.clientEnded = true;
    if (this.phase === 'tunnel') return;
    if (this.queue.length === 0) this.socket.end();
  }

  private onClose(): void {
    this.parser.close();
    for (const queued of this.queue.splice(0)) queued.exchange.abort();
    this.ctx.closed(this);
  }

  /** Called by the proxy's timer: enforces the client's timeouts and the upstream's. */
  checkDeadlines(now: number): void {
    const current = this.queue[0]?.exchange;
    if (current !== undefined && now > current.upstreamDeadline) current.timeOut();
    if (this.closing) {
      if (now > this.deadline) this.socket.destroy();
      return;
    }
    if (this.phase === 'tunnel' || this.phase === 'waiting' || now <= this.deadline) return;
    if (this.phase === 'idle') {
      this.socket.destroy();
      return;
    }
    // A head or body that does not arrive in time: 408, unless a response is already on its way.
    if (this.queue.some((q) => q.exchange.responding)) {
      this.socket.destroy();
      return;
    }
    this.closeGracefully('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    for (const queued of this.queue.splice(0)) queued.exchange.abort();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
