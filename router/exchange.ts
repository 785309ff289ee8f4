/**
 * One request forwarded to an app instance and its response relayed back (RFC 9110 §7.6,
 * intermediaries; RFC 9112 message framing). Bodies stream both ways with backpressure and are
 * never buffered whole: Content-Length bodies pass as they are, others are re-chunked.
 *
 * Retry: when the upstream refuses the connection before any byte of the request was sent, the
 * request is tried once more on the next upstream. During a rolling deploy an old instance may
 * stop between the table swap and the connect, and the client should never see that. A pooled
 * keep-alive connection that the upstream closed while idle (a reset on a reused connection) is
 * retried the same way, as long as no body byte left; so is a reset of a new connection to one
 * of several upstreams, for idempotent requests (see isRetryable).
 */
import type net from 'node:net';
import type { ProxyFailure } from './error-pages.js';
import {
  clientResponseHead,
  clientResponseHeadBytes,
  hasContentLength,
  responseFacts,
  type BodyFraming,
  type ClientPersistence,
} from './headers.js';
import type { MessageHead } from './http1/parser.js';
import { NO_APP } from './metrics.js';
import { writeNow } from './socket-write.js';
import type { ResponseSink, UpstreamConnection, UpstreamPool } from './upstream-pool.js';
import type { Route, Upstream } from './table.js';
import type { TracedRequest } from './tracing/tracer.js';

/** What an exchange needs from the client connection it belongs to. */
export interface ExchangeOwner {
  readonly socket: net.Socket;
  readonly pool: UpstreamPool;
  /** The response went out completely (or the exchange gave up); `status` is what the client got. */
  exchangeDone(exchange: Exchange, status: number): void;
  /** Answers with an error page, unless the response has begun (then the connection is cut). */
  exchangeFailed(exchange: Exchange, failure: ProxyFailure): void;
  /** The route the routing table holds now for `route`'s host (it may have been swapped since). */
  currentRoute(route: Route): Route | undefined;
}

export interface ForwardPlan {
  route: Route;
  firstIndex: number;
  /** The serialized request head for the upstream (headers.ts upstreamRequestHead or upstreamRequestHeadBytes). */
  head: string;
  chunkedBody: boolean;
  upstreamTimeoutMs: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Body bytes held while the upstream connection is still being set up, before the client is paused. */
const CONNECT_BUFFER_BYTES = 64 * 1024;
const LAST_CHUNK = '0\r\n\r\n';

type Phase = 'forwarding' | 'responding' | 'done';

export class Exchange implements ResponseSink, TracedRequest {
  private phase: Phase = 'forwarding';
  private plan: ForwardPlan | undefined;
  private upstream: UpstreamConnection | undefined;
  /** Set while the upstream is paused for a client that does not take the response fast enough. */
  private resumeUpstream: (() => void) | undefined;
  private retried = false;
  private bodySent = false;
  private requestEnded = false;
  // Body bytes wait here until the upstream connection is up (or while the exchange is queued
  // behind an earlier pipelined one), so a refused connect consumes nothing.
  private pendingBody: Buffer[] | undefined = [];
  private pendingBytes = 0;
  private framing: BodyFraming = 'none';
  private informational = false;
  private status = 0;
  private attemptIndex = 0;
  private reusedConnection = false;
  private pendingHead: string | undefined;
  private corked = false;
  /** Whether the client connection must close after this response. */
  closeAfter = false;
  /** performance.now() by which the upstream must have begun its response. */
  upstreamDeadline = Infinity;
  /** For metrics: the app the request went to, and when its head arrived. */
  app = NO_APP;
  startedAt = 0;
  /** For the router's span: the instance tried last, the body bytes relayed. */
  target: Upstream | undefined;
  bytes = 0;
  /** The response came whole from the instance (not the router's own error page). */
  relayed = false;
  // The router's span, when tracing is on (tracing/tracer.ts TraceState): primitives in this
  // object, so tracing makes no object of its own per request. traceId '' means not traced.
  traceId = '';
  spanId = '';
  parentSpanId: string | undefined;
  sampled = false;
  slowMs = 0;
  traceHost: string | undefined;
  traceUrl = '';

  constructor(
    private readonly owner: ExchangeOwner,
    readonly method: string,
    readonly requestId: string,
    readonly persistence: ClientPersistence,
    readonly clientHttp10: boolean,
  ) {}

  get client(): net.Socket {
    return this.owner.socket;
  }

  get responding(): boolean {
    return this.phase !== 'forwarding';
  }

  get requestComplete(): boolean {
    return this.requestEnded;
  }

  get route(): Route | undefined {
    return this.plan?.route;
  }

  forward(plan: ForwardPlan, now: number): void {
    this.plan = plan;
    this.attempt(plan.firstIndex, now);
  }

  private attempt(index: number, now: number): void {
    const plan = this.plan!;
    const upstream = plan.route.upstreams[index % plan.route.upstreams.length] as Upstream;
    const connection = this.owner.pool.acquire(upstream);
    this.target = upstream;
    this.upstream = connection;
    connection.attach(this);
    this.upstreamDeadline = now + plan.upstreamTimeoutMs;
    this.attemptIndex = index;
    this.reusedConnection = connection.reused;
    writeNow(connection.socket, plan.head);
    if (!connection.socket.connecting) this.onUpstreamConnected();
    else this.pendingBody ??= [];
  }

  onUpstreamConnected(): void {
    const pending = this.pendingBody;
    this.pendingBody = undefined;
    this.pendingBytes = 0;
    if (pending !== undefined) for (const chunk of pending) this.sendBody(chunk);
    if (this.requestEnded) this.endBody();
    if (this.client.isPaused() && this.phase === 'forwarding') this.client.resume();
  }

  /** A piece of the request body, as the client's parser de-framed it. */
  requestBody(chunk: Buffer): void {
    if (this.phase === 'done') return; // answered already: the rest is discarded
    if (this.pendingBody !== undefined) {
      this.pendingBody.push(chunk); // the client connection gives each exchange bytes of its own
      this.pendingBytes += chunk.length;
      if (this.pendingBytes > CONNECT_BUFFER_BYTES) this.client.pause();
      return;
    }
    this.sendBody(chunk);
  }

  requestEnd(): void {
    this.requestEnded = true;
    if (this.phase === 'done' || this.pendingBody !== undefined) return;
    this.endBody();
  }

  private sendBody(chunk: Buffer): void {
    const socket = this.upstream!.socket;
    this.bodySent = true;
    const ok = this.plan!.chunkedBody ? writeChunk(socket, chunk) : socket.write(chunk);
    if (!ok) {
      this.client.pause();
      socket.once('drain', () => this.client.resume());
    }
  }

  private endBody(): void {
    if (this.plan!.chunkedBody) this.upstream!.socket.write(LAST_CHUNK);
  }

  onResponseHead(head: MessageHead): boolean {
    const status = head.statusCode;
    if (status >= 100 && status < 200) {
      // 100 Continue and 103 Early Hints go to the client as they are; the final response follows.
      // A 101 to a request that asked for no upgrade is a broken upstream.
      if (status === 101) {
        this.onUpstreamError('EPROTO');
        return true;
      }
      this.informational = true;
      this.client.write(clientResponseHead(head, this.requestId, 'none', 'keep-alive'), 'latin1');
      return false;
    }
    this.phase = 'responding';
    this.upstreamDeadline = Infinity;
    this.status = status;
    const skipBody = this.method === 'HEAD';
    // Heads that came in one read are relayed from their bytes (headers.ts clientResponseHeadBytes).
    const bytes = head.bytes;
    const facts = bytes === undefined ? undefined : responseFacts(bytes);
    this.framing = skipBody || status === 204 || status === 304 ? 'none'
      : (facts === undefined ? hasContentLength(head.rawHeaders) : facts.contentLength) ? 'length'
      : this.clientHttp10 ? 'close' : 'chunked';
    // A client still sending its body when the answer comes is not read further: close after.
    const persistence = this.requestEnded ? this.persistence : 'close';
    this.closeAfter = persistence === 'close' || this.framing === 'close';
    const clientHead = bytes === undefined || facts === undefined
      ? clientResponseHead(head, this.requestId, this.framing, persistence)
      : clientResponseHeadBytes(head, bytes, facts, this.requestId, this.framing, persistence);
    if (this.framing === 'chunked' || this.framing === 'close') {
      // Re-framed bodies take several writes per packet: they are gathered until its end.
      this.client.cork();
      this.corked = true;
      this.client.write(clientHead, 'latin1');
    } else {
      // Held until the body's first bytes (or the end of this packet), so a small response
      // leaves in one buffer and one write.
      this.pendingHead = clientHead;
    }
    return skipBody;
  }

  /** The end of an upstream packet: a head still held back, or gathered writes, go out. */
  flush(): void {
    const head = this.pendingHead;
    if (head !== undefined) {
      this.pendingHead = undefined;
      this.client.write(head, 'latin1');
    }
    if (this.corked) {
      this.corked = false;
      this.client.uncork();
    }
  }

  onResponseBody(chunk: Buffer): void {
    this.bytes += chunk.length;
    const head = this.pendingHead;
    if (head !== undefined && this.framing === 'length') {
      this.pendingHead = undefined;
      this.writeToClient(withHead(head, chunk), true);
      return;
    }
    if (head !== undefined) this.flush();
    // A view of the proxy's read buffer (read-buffer.ts), which the next read of any socket
    // overwrites; a write the kernel does not take at once keeps its buffer, so it gets a copy.
    this.writeToClient(Buffer.from(chunk));
  }

  /** `first`: the response head with the body's first bytes, which go straight to the handle (socket-write.ts). */
  private writeToClient(chunk: Buffer, first = false): void {
    const ok = this.framing === 'chunked' ? writeChunk(this.client, chunk) : first ? writeNow(this.client, chunk) : this.client.write(chunk);
    if (!ok && this.upstream !== undefined && this.resumeUpstream === undefined) {
      const socket = this.upstream.socket;
      socket.pause();
      this.resumeUpstream = () => {
        this.resumeUpstream = undefined;
        socket.resume();
      };
      this.client.once('drain', this.resumeUpstream);
    }
  }

  onResponseComplete(keepAlive: boolean): void {
    if (this.informational) {
      this.informational = false;
      return;
    }
    if (this.framing === 'chunked') this.client.write(LAST_CHUNK);
    this.flush();
    const connection = this.upstream!;
    this.upstream = undefined;
    // The response can end in the read that filled the client's buffer, with the upstream paused
    // until the client drains. A client that is then ended (Connection: close) never emits
    // 'drain', so the connection would go back to the pool paused, and the next request on it
    // would wait for an answer it never reads (504 after the upstream timeout; seen under load).
    if (this.resumeUpstream !== undefined) {
      this.client.off('drain', this.resumeUpstream);
      this.resumeUpstream = undefined;
      connection.socket.resume();
    }
    // The connection is clean for another request only if this one was sent whole.
    if (keepAlive && this.requestEnded && this.pendingBody === undefined) this.owner.pool.release(connection, performance.now());
    else {
      connection.detach();
      connection.socket.destroy();
    }
    this.relayed = true;
    this.finish(this.status);
  }

  onUpstreamError(code: string): void {
    this.upstream = undefined;
    if (this.phase === 'done') return;
    if (this.phase === 'responding') {
      // Part of the response is out: the client can only learn of the failure by the cut.
      this.client.destroy();
      this.finish(502);
      return;
    }
    if (!this.retried && !this.bodySent && this.isRetryable(code)) {
      this.retried = true;
      this.attempt(this.attemptIndex + 1, performance.now());
      return;
    }
    const swapped = this.retried || this.bodySent ? undefined : this.routeSwappedSince(code);
    if (swapped !== undefined) {
      this.retried = true;
      this.plan = { ...this.plan!, route: swapped };
      this.attempt(0, performance.now());
      return;
    }
    this.owner.exchangeFailed(this, { kind: 'upstream-unreachable', app: this.plan!.route.app, code });
  }

  /**
   * A refused connect never reached the app, so any request may go to the next upstream. A reset
   * before any response byte means either a reused pooled connection the app closed while idle,
   * or a new connection accepted by a port proxy in front of an instance that is going away
   * (Docker's userland proxy, Swarm's host-mode ports, where the task the engine stops may not be
   * the one DevFlow drained). The request may have arrived, so only idempotent requests are sent again.
   */
  private isRetryable(code: string): boolean {
    const several = this.plan!.route.upstreams.length > 1;
    if (code === 'ECONNREFUSED') return several;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') return false;
    return IDEMPOTENT.has(this.method) && (this.reusedConnection || several);
  }

  /**
   * A request planned on the old table of a rolling deploy whose only upstream went away before
   * it connected (its listener closed as it stopped): the table has been swapped since, so the
   * request goes once to the instances the table holds now, other than the one that failed.
   * The same rule as isRetryable on what may be sent again: anything after a refused connect,
   * only idempotent requests after a reset.
   */
  private routeSwappedSince(code: string): Route | undefined {
    const refused = code === 'ECONNREFUSED';
    if (!refused && !((code === 'ECONNRESET' || code === 'EPIPE') && IDEMPOTENT.has(this.method))) return undefined;
    const planned = this.plan!.route;
    const now = this.owner.currentRoute(planned);
    if (now === undefined || now === planned) return undefined;
    const failed = this.target;
    const others = now.upstreams.filter((u) => failed === undefined || u.host !== failed.host || u.port !== failed.port);
    return others.length === 0 ? undefined : { ...now, upstreams: others };
  }

  /** The upstream did not begin its response in time: 504. */
  timeOut(): void {
    if (this.phase !== 'forwarding' || this.plan === undefined) return;
    this.abandonUpstream();
    this.owner.exchangeFailed(this, { kind: 'upstream-timeout', app: this.plan.route.app, timeoutMs: this.plan.upstreamTimeoutMs });
  }

  /** The client left or the proxy is closing: the upstream work stops too. */
  abort(): void {
    if (this.phase === 'done') return;
    this.abandonUpstream();
    this.finish(499);
  }

  private abandonUpstream(): void {
    const connection = this.upstream;
    this.upstream = undefined;
    if (connection === undefined) return;
    connection.detach();
    connection.socket.destroy();
  }

  /** Marks the exchange answered locally (error page, redirect, challenge) or relayed. */
  finish(status: number): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.pendingBody = undefined;
    this.upstreamDeadline = Infinity;
    this.owner.exchangeDone(this, status);
  }
}

/** The head (a string holds one byte per character, headers.ts) and the first body bytes in one buffer. */
function withHead(head: string, chunk: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + chunk.length);
  out.write(head, 0, 'latin1');
  chunk.copy(out, head.length);
  return out;
}

function writeChunk(socket: net.Socket, chunk: Buffer): boolean {
  if (chunk.length === 0) return true;
  socket.cork();
  socket.write(`${chunk.length.toString(16)}\r\n`);
  socket.write(chunk);
  const ok = socket.write('\r\n');
  socket.uncork();
  return ok;
}
