/**
 * A span as the store keeps it, whoever sent it: the router (router/tracing) or an app's
 * OpenTelemetry SDK over OTLP (otlp/decode.ts). Times are Unix epoch microseconds, the precision
 * of PostgreSQL's timestamptz. `entry` marks where a request enters the app's world: the router's
 * span, or a span with no parent; trace lists show entry spans.
 */
import type { RouterSpan } from '../../router/index.js';

/** OpenTelemetry SpanKind and Status codes, as OTLP numbers them. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
export const STATUS_ERROR = 2;
export const ROUTER_SERVICE = 'devflow-router';

/** What a span says, as stored and as read back. */
export interface SpanFields {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  service: string;
  statusCode: number;
  httpStatus: number | null;
  route: string | null;
  release: string | null;
  attributes: Record<string, unknown>;
  events: unknown[] | null;
}

export interface StoredSpan extends SpanFields {
  appId: number;
  entry: boolean;
  startUs: number;
  durationUs: number;
  resource: Record<string, unknown> | null;
}

export function fromRouterSpan(span: RouterSpan, appId: number): StoredSpan {
  const attributes: Record<string, unknown> = {
    'http.request.method': span.method,
    'server.address': span.host,
    'url.path': span.path,
    'http.response.status_code': span.status,
    'http.response.body.size': span.bytes,
    'devflow.sampled': span.sampled,
  };
  if (span.upstream !== undefined) attributes['devflow.upstream'] = span.upstream;
  if (span.instance !== undefined) attributes['devflow.instance'] = span.instance;
  return {
    appId,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    entry: true,
    name: `${span.method} ${span.path}`,
    kind: SPAN_KIND.server,
    service: ROUTER_SERVICE,
    startUs: Math.round(span.startMs * 1000),
    durationUs: Math.max(0, Math.round(span.durationMs * 1000)),
    statusCode: span.status >= 500 ? STATUS_ERROR : 0,
    httpStatus: span.status,
    route: span.path,
    release: span.release === undefined ? null : `v${span.release}`,
    attributes,
    events: null,
    resource: null,
  };
}

// The last second isoMicros formatted: spans come in batches a few seconds wide, and formatting a
// Date took about 0.9 µs of the 2.5 µs a stored router span cost (docs/benchmarks.md, issue 18).
let lastSecond = Number.NaN;
let lastPrefix = '';

/** Epoch microseconds (whole) as an ISO 8601 timestamp with microseconds, for timestamptz. */
export function isoMicros(us: number): string {
  const second = Math.floor(us / 1_000_000);
  if (second !== lastSecond) {
    const iso = new Date(second * 1000).toISOString(); // …T12:34:56.000Z
    lastPrefix = iso.slice(0, iso.length - 4);
    lastSecond = second;
  }
  return `${lastPrefix}${String(us - second * 1_000_000).padStart(6, '0')}Z`;
}
