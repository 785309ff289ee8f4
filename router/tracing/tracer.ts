/**
 * The router's tracer: starts the root span of a request (continuing a caller's trace, or a new
 * one), gives the traceparent the app receives, and at the end decides whether the span is kept
 * and hands it to the span buffer. It allocates one small object per request and makes no system
 * call; spans are written elsewhere (span-buffer.ts).
 */
import { keepSpan, sampledAtStart, DEFAULT_TRACE_SAMPLING, type TraceSampling } from './sampling.js';
import { SpanBuffer, type RouterSpan } from './span-buffer.js';
import { formatTraceparent, parseTraceparent, TraceIds } from './trace-context.js';

/** The trace context of one request in flight. */
export interface RequestTrace {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  sampled: boolean;
  rule: TraceSampling;
  host: string | undefined;
  url: string;
}

/** What the proxy knows of a request when it is done. */
export interface FinishedRequest {
  app: string;
  method: string;
  status: number;
  /** performance.now() values. */
  startedAt: number;
  endedAt: number;
  bytes: number;
  upstream: { host: string; port: number; instance?: string } | undefined;
  release: number | undefined;
}

export class RouterTracer {
  private readonly ids = new TraceIds();
  private defaults: TraceSampling = DEFAULT_TRACE_SAMPLING;
  private perApp = new Map<string, TraceSampling>();

  constructor(readonly buffer: SpanBuffer) {}

  /** Sampling rules: platform defaults, and apps that set their own. Replaced whole. */
  setSampling(defaults: TraceSampling, perApp: Map<string, TraceSampling> = new Map()): void {
    this.defaults = defaults;
    this.perApp = perApp;
  }

  begin(app: string, incoming: string | undefined, host: string | undefined, url: string): RequestTrace {
    const parent = parseTraceparent(incoming);
    const rule = this.perApp.get(app) ?? this.defaults;
    return {
      traceId: parent?.traceId ?? this.ids.traceId(),
      spanId: this.ids.spanId(),
      parentSpanId: parent?.parentId,
      sampled: sampledAtStart(parent, rule, parent === undefined ? this.ids.fraction() : 0),
      rule,
      host,
      url,
    };
  }

  /** The traceparent the app receives: its parent is the router's span. */
  traceparentFor(trace: RequestTrace): string {
    return formatTraceparent(trace.traceId, trace.spanId, trace.sampled);
  }

  end(trace: RequestTrace, request: FinishedRequest): void {
    const durationMs = request.endedAt - request.startedAt;
    if (!keepSpan(trace.sampled, request.status, durationMs, trace.rule)) return;
    this.buffer.add(routerSpan(trace, request, durationMs));
  }
}

function routerSpan(trace: RequestTrace, request: FinishedRequest, durationMs: number): RouterSpan {
  const query = trace.url.indexOf('?');
  const upstream = request.upstream;
  return {
    app: request.app,
    traceId: trace.traceId,
    spanId: trace.spanId,
    parentSpanId: trace.parentSpanId,
    method: request.method,
    host: trace.host ?? '',
    path: query === -1 ? trace.url : trace.url.slice(0, query),
    status: request.status,
    startMs: performance.timeOrigin + request.startedAt,
    durationMs,
    bytes: request.bytes,
    upstream: upstream === undefined ? undefined : `${upstream.host}:${upstream.port}`,
    instance: upstream?.instance,
    release: request.release,
    sampled: trace.sampled,
  };
}
