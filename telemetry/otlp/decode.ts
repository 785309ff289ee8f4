/**
 * OTLP trace requests (opentelemetry-proto, collector/trace/v1 ExportTraceServiceRequest) into
 * stored spans. Protobuf is decoded by the OpenTelemetry project's own generated code (shipped in
 * @opentelemetry/otlp-transformer 0.57, protobufjs); JSON follows the OTLP/HTTP JSON mapping
 * (ids as hex, 64-bit integers as strings or numbers, enums as numbers). Both end in the same
 * object form, read once by spansOf. Anything that is not a well-formed request is an
 * InvalidInputError naming what is wrong (the receiver answers 400 with it).
 */
import { createRequire } from 'node:module';
import { InvalidInputError } from '../../core/errors.js';
import { ROUTER_SERVICE, SPAN_KIND, type StoredSpan } from '../traces/span.js';

export type OtlpSignal = 'traces' | 'metrics' | 'logs';
export type OtlpFormat = 'protobuf' | 'json';

interface ProtoType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(object: unknown): unknown;
}

/** The generated protobuf root, loaded on the first protobuf request (CommonJS, so through require). */
let collector: Record<OtlpSignal, { request: ProtoType; response: ProtoType }> | undefined;

function protoTypes(signal: OtlpSignal): { request: ProtoType; response: ProtoType } {
  if (collector === undefined) {
    const require = createRequire(import.meta.url);
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js').opentelemetry.proto.collector;
    collector = {
      traces: { request: root.trace.v1.ExportTraceServiceRequest, response: root.trace.v1.ExportTraceServiceResponse },
      metrics: { request: root.metrics.v1.ExportMetricsServiceRequest, response: root.metrics.v1.ExportMetricsServiceResponse },
      logs: { request: root.logs.v1.ExportLogsServiceRequest, response: root.logs.v1.ExportLogsServiceResponse },
    };
  }
  return collector[signal];
}

/** An export request in OTLP's object form, ids still encoded as the format has them. */
export interface DecodedRequest {
  format: OtlpFormat;
  body: Record<string, unknown>;
}

export function decodeRequest(signal: OtlpSignal, format: OtlpFormat, bytes: Buffer): DecodedRequest {
  if (format === 'json') {
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new InvalidInputError(`the OTLP/JSON body does not parse: ${(err as Error).message}`);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError('the OTLP/JSON body must be an object');
    return { format, body: body as Record<string, unknown> };
  }
  const type = protoTypes(signal).request;
  try {
    const message = type.decode(bytes);
    return { format, body: type.toObject(message, { longs: String, bytes: String, enums: Number, defaults: false }) };
  } catch (err) {
    throw new InvalidInputError(`the OTLP protobuf body does not decode as ${signal === 'traces' ? 'ExportTraceServiceRequest' : signal}: ${(err as Error).message}`);
  }
}

/** The success answer, in the request's format (an empty Export…ServiceResponse, or one with a partial success). */
export function encodeResponse(signal: OtlpSignal, format: OtlpFormat, response: Record<string, unknown> = {}): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify(response));
  const type = protoTypes(signal).response;
  return Buffer.from(type.encode(type.fromObject(response)).finish());
}

export interface SpanContext {
  appId: number;
}

/** The spans of a trace export request, for one app. */
export function spansOf(request: DecodedRequest, context: SpanContext): StoredSpan[] {
  const idOf = request.format === 'json' ? hexId : base64Id;
  const spans: StoredSpan[] = [];
  for (const resourceSpans of list(request.body.resourceSpans, 'resourceSpans')) {
    const resource = attributeMap(obj(obj(resourceSpans).resource).attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
    // An app cannot pass its spans off as the router's.
    const serviceName = service === ROUTER_SERVICE ? `${service} (app)` : service;
    for (const scopeSpans of list(obj(resourceSpans).scopeSpans, 'scopeSpans')) {
      for (const raw of list(obj(scopeSpans).spans, 'spans')) spans.push(toStoredSpan(obj(raw), idOf, context, serviceName, resource));
    }
  }
  return spans;
}

function toStoredSpan(
  span: Record<string, unknown>, idOf: (value: unknown, bytes: number, what: string) => string,
  context: SpanContext, service: string, resource: Record<string, unknown>,
): StoredSpan {
  const traceId = idOf(span.traceId, 16, 'traceId');
  const spanId = idOf(span.spanId, 8, 'spanId');
  const parent = span.parentSpanId === undefined || span.parentSpanId === '' ? null : idOf(span.parentSpanId, 8, 'parentSpanId');
  const startNs = nanos(span.startTimeUnixNano, 'startTimeUnixNano');
  const endNs = nanos(span.endTimeUnixNano, 'endTimeUnixNano');
  const attributes = attributeMap(span.attributes);
  const httpStatus = numberOr(attributes['http.response.status_code'] ?? attributes['http.status_code']);
  const route = attributes['http.route'] ?? attributes['url.path'] ?? attributes['http.target'];
  const release = resource['service.version'] ?? resource['devflow.release'];
  return {
    appId: context.appId,
    traceId,
    spanId,
    parentSpanId: parent,
    entry: parent === null,
    name: typeof span.name === 'string' && span.name !== '' ? span.name : '(unnamed)',
    kind: kindOf(span.kind),
    service,
    startUs: Number(startNs / 1000n),
    durationUs: endNs > startNs ? Number((endNs - startNs) / 1000n) : 0,
    statusCode: Number(obj(span.status).code ?? 0) || 0,
    httpStatus,
    route: typeof route === 'string' ? route : null,
    release: typeof release === 'string' ? release : null,
    attributes,
    events: list(span.events, 'events').map((e) => ({
      name: obj(e).name, timeUnixNano: String(obj(e).timeUnixNano ?? ''), attributes: attributeMap(obj(e).attributes),
    })),
    resource,
  };
}

export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

export function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidInputError(`OTLP field ${what} must be a list`);
  return value;
}

const HEX_ID = /^[0-9a-fA-F]+$/;

export function hexId(value: unknown, bytes: number, what: string): string {
  if (typeof value !== 'string' || value.length !== bytes * 2 || !HEX_ID.test(value) || /^0+$/.test(value)) {
    throw new InvalidInputError(`span ${what} must be ${bytes * 2} hex digits, not all zero (got ${JSON.stringify(value)})`);
  }
  return value.toLowerCase();
}

export function base64Id(value: unknown, bytes: number, what: string): string {
  const hex = typeof value === 'string' ? Buffer.from(value, 'base64').toString('hex') : '';
  if (hex.length !== bytes * 2 || /^0+$/.test(hex)) throw new InvalidInputError(`span ${what} must be ${bytes} bytes, not all zero`);
  return hex;
}

function nanos(value: unknown, what: string): bigint {
  if ((typeof value === 'string' && /^\d{1,20}$/.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    return BigInt(value);
  }
  throw new InvalidInputError(`span ${what} must be nanoseconds since the Unix epoch (got ${JSON.stringify(value)})`);
}

function kindOf(value: unknown): number {
  const kind = Number(value ?? SPAN_KIND.internal);
  return Number.isInteger(kind) && kind >= 0 && kind <= 5 ? kind : SPAN_KIND.internal;
}

function numberOr(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 999 ? n : null;
}

/** OTLP KeyValue lists as a plain object (AnyValue unwrapped: strings, numbers, booleans, lists, maps). */
export function attributeMap(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(value, 'attributes')) {
    const key = obj(kv).key;
    if (typeof key === 'string') out[key] = anyValue(obj(kv).value);
  }
  return out;
}

function anyValue(value: unknown): unknown {
  const v = obj(value);
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return list(obj(v.arrayValue).values, 'arrayValue').map(anyValue);
  if ('kvlistValue' in v) return attributeMap(obj(v.kvlistValue).values);
  if ('bytesValue' in v) return v.bytesValue;
  return null;
}
