/**
 * The router's tracer (issue 18, "Router spans"): starts the root span of a request (continuing a
 * caller's trace, or a new one), decides at once whether it is sampled, and at the end decides
 * whether the span is kept and hands it to the span buffer.
 *
 * Its cost is paid by every proxied request, so a request's trace state is a few primitives
 * written into fields of the proxy's own per-request object (TraceState, router/exchange.ts):
 * no object, closure or timer per request. The ids come from a pooled random buffer (no system
 * call), the traceparent is written by the head's serializer in the same string as the other
 * fields (headers.ts), and only a kept span (sampled, an error or slow) becomes an object.
 */
import { keepSpan, sampledAtStart, DEFAULT_TRACE_SAMPLING, type TraceSampling } from './sampling.js';
import { SpanBuffer, type RouterSpan } from './span-buffer.js';
import { parseTraceparent, TraceIds } from './trace-context.js';

/** The trace context of one request in flight; traceId is '' while the request is not traced. */
export interface TraceState {
  traceId: string;
  /** The router's span, the parent of the app's. */
  spanId: string;
  parentSpanId: string | undefined;
  sampled: boolean;
  /** The app's threshold for a slow request, whose span is kept even when not sampled. */
  slowMs: number;
  /** The request's Host and target, for a span that is kept. */
  traceHost: string | undefined;
  traceUrl: string;
}

/** What the tracer reads of a request when it is done (an Exchange, router/exchange.ts). */
export interface TracedRequest extends TraceState {
  readonly app: string;
  readonly method: string;
  /** performance.now() when its head arrived. */
  readonly startedAt: number;
  /** Response body bytes relayed to the client. */
  readonly bytes: number;
  /** The instance tried last, if any. */
  readonly target: { host: string; port: number; instance?: string } | undefined;
  readonly route: { release?: number } | undefined;
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

  /** The rule `app` is sampled by. */
  sampling(app: string): TraceSampling {
    return this.perApp.get(app) ?? this.defaults;
  }

  /** Starts the request's span: fills `state` (a caller's traceparent in `incoming` is continued). */
  begin(state: TraceState, app: string, incoming: string | undefined, host: string | undefined, url: string): void {
    const rule = this.perApp.size === 0 ? this.defaults : this.sampling(app);
    state.slowMs = rule.slowMs;
    state.traceHost = host;
    state.traceUrl = url;
    const parent = incoming === undefined ? undefined : parseTraceparent(incoming);
    if (parent === undefined) {
      state.sampled = sampledAtStart(undefined, rule, this.ids.fraction());
      this.ids.newTrace(state);
      state.parentSpanId = undefined;
    } else {
      state.sampled = parent.sampled;
      state.traceId = parent.traceId;
      state.spanId = this.ids.spanId();
      state.parentSpanId = parent.parentId;
    }
  }

  /** Ends the request's span; it is kept when sampled, an error or slow (sampling.ts). */
  end(request: TracedRequest, status: number, endedAt: number): void {
    const durationMs = endedAt - request.startedAt;
    if (!keepSpan(request.sampled, status, durationMs, request.slowMs)) return;
    this.buffer.add(routerSpan(request, status, durationMs));
  }
}

function routerSpan(request: TracedRequest, status: number, durationMs: number): RouterSpan {
  const url = request.traceUrl;
  const query = url.indexOf('?');
  const upstream = request.target;
  return {
    app: request.app,
    traceId: request.traceId,
    spanId: request.spanId,
    parentSpanId: request.parentSpanId,
    method: request.method,
    host: request.traceHost ?? '',
    path: query === -1 ? url : url.slice(0, query),
    status,
    startMs: performance.timeOrigin + request.startedAt,
    durationMs,
    bytes: request.bytes,
    upstream: upstream === undefined ? undefined : `${upstream.host}:${upstream.port}`,
    instance: upstream?.instance,
    release: request.route?.release,
    sampled: request.sampled,
  };
}
