/**
 * Keep-alive connections to app instances. Each connection has its own response parser and, while
 * it carries an exchange, one sink that receives the response. Idle connections wait in a
 * last-in-first-out list per instance (the warmest socket first) and are closed after a few
 * seconds, before the app's own keep-alive timeout (Node's default is 5 s) could close them
 * under a request.
 */
import net from 'node:net';
import { Http1Parser, isParseError, type MessageHead, type ParseError } from './http1/parser.js';
import { sharedReadBuffer } from './read-buffer.js';
import type { Upstream } from './table.js';

/** Receives one response from an upstream connection. */
export interface ResponseSink {
  /** Returns true when the response has no body whatever its head says (a response to HEAD). */
  onResponseHead(head: MessageHead): boolean;
  /** A view of the proxy's read buffer (read-buffer.ts), valid during the call only. */
  onResponseBody(chunk: Buffer): void;
  onResponseComplete(keepAlive: boolean): void;
  /** The connection failed or closed before the response was complete. */
  onUpstreamError(code: string): void;
  onUpstreamConnected(): void;
  /** The end of one packet from the upstream: anything held back goes out now. */
  flush(): void;
}

const IDLE_MS = 4_000;
const MAX_IDLE_PER_UPSTREAM = 256;

export class UpstreamConnection {
  readonly socket: net.Socket;
  private readonly parser: Http1Parser;
  private sink: ResponseSink | undefined;
  private lastError: string | undefined;
  private keepAlive = false;
  /** Whether this connection already carried an exchange (an app may have closed it while idle). */
  reused = false;
  idleSince = 0;

  constructor(readonly key: string, upstream: Upstream, private readonly pool: UpstreamPool) {
    this.parser = new Http1Parser('response', {
      onHead: (head) => {
        this.keepAlive = head.keepAlive;
        return this.sink?.onResponseHead(head) ?? false;
      },
      onBody: (chunk) => this.sink?.onResponseBody(chunk),
      onMessageComplete: () => this.sink?.onResponseComplete(this.keepAlive),
    });
    this.socket = net.connect({
      host: upstream.host, port: upstream.port, noDelay: true,
      // Reads land in the proxy's one read buffer (read-buffer.ts) and go straight to the parser,
      // skipping the stream machinery and an allocation per read. Body bytes reach the sink as
      // views of that buffer; it copies what it keeps (Exchange.onResponseBody).
      onread: {
        buffer: sharedReadBuffer(),
        callback: (bytes, buffer) => {
          this.onData((buffer as Buffer).subarray(0, bytes));
          return true;
        },
      },
    });
    this.socket.once('connect', () => this.sink?.onUpstreamConnected());
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err: NodeJS.ErrnoException) => (this.lastError = err.code ?? 'ERROR'));
    this.socket.on('close', () => this.onClose());
  }

  attach(sink: ResponseSink): void {
    this.sink = sink;
  }

  /** Stops delivering to the sink; the connection is then reused or destroyed by the caller. */
  detach(): void {
    this.sink = undefined;
  }

  private onData(data: Buffer): void {
    const sink = this.sink;
    if (sink === undefined) {
      // An idle connection has nothing to say; bytes here would be misread as the next response.
      this.socket.destroy();
      return;
    }
    const result = this.parser.execute(data);
    sink.flush();
    if (isParseError(result)) this.failWith(result);
  }

  private onEnd(): void {
    // A response framed by the end of the connection completes here.
    const result = this.parser.finish();
    if (isParseError(result)) this.failWith(result);
    this.socket.destroy();
  }

  private failWith(err: ParseError): void {
    this.lastError = err.code;
    this.socket.destroy();
  }

  private onClose(): void {
    this.pool.forget(this);
    this.parser.close();
    const sink = this.sink;
    this.sink = undefined;
    sink?.onUpstreamError(this.lastError ?? 'ECONNRESET');
  }
}

export class UpstreamPool {
  private readonly idle = new Map<string, UpstreamConnection[]>();

  /** An idle connection to the instance, or a new one (still connecting). */
  acquire(upstream: Upstream): UpstreamConnection {
    const key = `${upstream.host}:${upstream.port}`;
    const reusable = this.idle.get(key)?.pop();
    return reusable ?? new UpstreamConnection(key, upstream, this);
  }

  /** Takes back a connection whose response was read to its end and that may carry another. */
  release(connection: UpstreamConnection, now: number): void {
    connection.detach();
    connection.reused = true;
    connection.idleSince = now;
    let list = this.idle.get(connection.key);
    if (list === undefined) this.idle.set(connection.key, (list = []));
    if (list.length >= MAX_IDLE_PER_UPSTREAM) connection.socket.destroy();
    else list.push(connection);
  }

  forget(connection: UpstreamConnection): void {
    const list = this.idle.get(connection.key);
    const at = list?.indexOf(connection) ?? -1;
    if (at >= 0) list!.splice(at, 1);
    if (list?.length === 0) this.idle.delete(connection.key);
  }

  /** Closes connections idle for longer than IDLE_MS; called from the proxy's timer. */
  sweep(now: number): void {
    for (const list of [...this.idle.values()]) {
      for (const connection of list.filter((c) => now - c.idleSince > IDLE_MS)) connection.socket.destroy();
    }
  }

  destroy(): void {
    for (const list of [...this.idle.values()]) for (const connection of [...list]) connection.socket.destroy();
    this.idle.clear();
  }
}
