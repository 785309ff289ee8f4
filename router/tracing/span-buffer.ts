/**
 * Router spans wait here and are written in batches, off the request path: a request only pushes
 * a record into an array. One write is in flight at a time; while the sink is slow or down the
 * buffer fills, and past its capacity new spans are dropped and counted (never a blocked or
 * failed request: telemetry must not take an app down).
 */

/** The root span of one request as the router saw it. Times are Unix epoch milliseconds. */
export interface RouterSpan {
  app: string;
  traceId: string;
  spanId: string;
  /** The caller's span, when the request came with a traceparent. */
  parentSpanId: string | undefined;
  method: string;
  host: string;
  /** The request target's path, without its query. */
  path: string;
  status: number;
  startMs: number;
  durationMs: number;
  /** Response body bytes relayed to the client. */
  bytes: number;
  /** `host:port` of the instance that answered, if one was reached. */
  upstream: string | undefined;
  instance: string | undefined;
  release: number | undefined;
  sampled: boolean;
}

/** Where batches go (telemetry's span store, in `devflow up`). */
export interface SpanSink {
  writeRouterSpans(spans: RouterSpan[]): Promise<void>;
}

export interface SpanBufferOptions {
  /** Spans held at most while waiting for the sink; more are dropped. */
  capacity?: number;
  /** A batch this large is written at once, without waiting for the timer. */
  batchSize?: number;
  flushEveryMs?: number;
  onError?(err: unknown): void;
}

export class SpanBuffer {
  private pending: RouterSpan[] = [];
  private writing: Promise<void> | undefined;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly timer: NodeJS.Timeout;
  /** Spans dropped because the buffer was full, or because their batch failed to write. */
  dropped = 0;
  written = 0;

  constructor(private readonly sink: SpanSink, private readonly options: SpanBufferOptions = {}) {
    this.capacity = options.capacity ?? 20_000;
    this.batchSize = options.batchSize ?? 1_000;
    this.timer = setInterval(() => void this.flush(), options.flushEveryMs ?? 1_000);
    this.timer.unref();
  }

  add(span: RouterSpan): void {
    if (this.pending.length >= this.capacity) {
      this.dropped++;
      return;
    }
    this.pending.push(span);
    if (this.pending.length >= this.batchSize && this.writing === undefined) void this.flush();
  }

  /** Writes what is pending (after a write in flight); resolves when it is written or dropped. */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.batchSize);
    this.writing = this.sink.writeRouterSpans(batch).then(
      () => { this.written += batch.length; },
      (err: unknown) => {
        this.dropped += batch.length;
        this.options.onError?.(err);
      },
    ).finally(() => { this.writing = undefined; });
    await this.writing;
  }

  /** Stops the timer and writes everything still pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    while (this.pending.length > 0 || this.writing !== undefined) await this.flush();
  }
}
