/**
 * DevFlow's OTLP/HTTP receiver (OpenTelemetry Protocol 1.x, "OTLP/HTTP"): POST /v1/traces,
 * /v1/metrics and /v1/logs on the API port, which is where an SDK sends with
 * OTEL_EXPORTER_OTLP_ENDPOINT set to DevFlow's base URL. Binary protobuf or JSON, optionally
 * gzip-compressed. Every request names its app by an ingest token (`x-devflow-ingest-token: T`,
 * or `Authorization: Bearer T`); the token decides the app, so one app's token cannot write
 * another's telemetry.
 *
 * Answers: 200 with an Export…ServiceResponse in the request's format (with a partial success
 * naming what was not stored); 401 without a valid token, before the body is read; 400 for a
 * body that does not decode; 413 past the size limit (compressed or not); 415 for other content
 * types or encodings. Traces go to the span store (and their spans' exception events to the
 * app's error groups, telemetry/errors/span-events.ts), log records to the app's runtime log (so log
 * search finds them, otlp/logs.ts), metric data points to the metrics store (otlp/metrics.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DevflowError, errorMessage } from '../../core/errors.js';
import type { TelemetrySettings } from '../settings-store.js';
import type { SpanStore } from '../traces/store.js';
import type { NewLogLine } from '../../core/store/runtime-logs.js';
import { decodeRequest, encodeResponse, spansOf, type OtlpFormat, type OtlpSignal } from './decode.js';
import { logLinesOf } from './logs.js';
import { exceptionsOfSpans } from '../errors/span-events.js';
import type { RecordedException } from '../errors/store.js';
import { metricPointsOf, type MetricPoint } from './metrics.js';

const gunzip = promisify(zlib.gunzip);

export const OTLP_PATHS: Readonly<Record<string, OtlpSignal>> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

/** Bytes a request may carry, compressed and once decompressed: an SDK's batches are far smaller. */
export const MAX_OTLP_BYTES = 4 * 1024 * 1024;

export interface OtlpReceiverDeps {
  settings: Pick<TelemetrySettings, 'appForToken'>;
  store: Pick<SpanStore, 'write'>;
  /** Where log records and metric points go (telemetry/logs/otlp-lines.ts, telemetry/metrics/points.ts). */
  logs: { write(lines: NewLogLine[]): Promise<number> };
  metrics: { write(points: MetricPoint[]): Promise<number> };
  /** Where the spans' exception events go (telemetry/errors/store.ts's recordException). */
  errors: { record(exceptions: RecordedException[]): Promise<void> };
  maxBytes?: number;
}

/** The signal a request path is for, or undefined when it is not an OTLP path. */
export function otlpSignalOf(url: string | undefined): OtlpSignal | undefined {
  const path = (url ?? '').split('?')[0]!;
  return Object.hasOwn(OTLP_PATHS, path) ? OTLP_PATHS[path] : undefined;
}

class OtlpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export async function receiveOtlp(deps: OtlpReceiverDeps, signal: OtlpSignal, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.method !== 'POST') throw new OtlpError(405, 'method_not_allowed', `OTLP/HTTP takes POST; got ${req.method}`);
    const appId = await authenticate(deps, req);
    const format = formatOf(req.headers['content-type']);
    const body = await readBody(req, deps.maxBytes ?? MAX_OTLP_BYTES);
    const decoded = decodeRequest(signal, format, body);
    const response = await STORE[signal](deps, decoded, appId);
    res.writeHead(200, { 'content-type': format === 'json' ? 'application/json' : 'application/x-protobuf' });
    res.end(encodeResponse(signal, format, response));
  } catch (err) {
    const known = err instanceof OtlpError ? err
      : err instanceof DevflowError && err.code === 'invalid_input' ? new OtlpError(400, 'invalid_otlp', err.message)
      : new OtlpError(500, 'internal', `the OTLP request could not be stored: ${errorMessage(err)}`);
    // A request refused before its body was read closes the connection rather than reading it.
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (!req.complete) headers.connection = 'close';
    res.writeHead(known.status, headers);
    res.end(JSON.stringify({ error: { code: known.code, message: known.message } }));
    if (!req.complete) req.resume();
  }
}

async function authenticate(deps: OtlpReceiverDeps, req: IncomingMessage): Promise<number> {
  const header = req.headers['x-devflow-ingest-token'];
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = (typeof header === 'string' ? header.trim() : undefined) || bearer;
  if (!token) throw new OtlpError(401, 'unauthorized', 'an ingest token is required: x-devflow-ingest-token header or Authorization: Bearer (devflow telemetry:enable <app> prints it)');
  const appId = await deps.settings.appForToken(token);
  if (appId === undefined) throw new OtlpError(401, 'unauthorized', 'the ingest token is not valid (telemetry disabled, or a token of another DevFlow)');
  return appId;
}

function formatOf(contentType: string | undefined): OtlpFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new OtlpError(415, 'unsupported_media_type', `OTLP/HTTP bodies are application/x-protobuf or application/json; got "${contentType ?? ''}"`);
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new OtlpError(413, 'payload_too_large', `OTLP requests may carry at most ${maxBytes} bytes; send smaller batches`);
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'identity') throw new OtlpError(415, 'unsupported_encoding', `content-encoding "${encoding}" is not supported: use gzip or none`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  if (encoding === 'identity') return body;
  try {
    return await gunzip(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new OtlpError(400, 'invalid_gzip', `the body is not valid gzip: ${errorMessage(err)}`);
  }
}

async function storeTraces(deps: OtlpReceiverDeps, decoded: ReturnType<typeof decodeRequest>, appId: number): Promise<Record<string, unknown>> {
  const spans = spansOf(decoded, { appId });
  const written = await deps.store.write(spans);
  await deps.errors.record(exceptionsOfSpans(spans));
  const rejected = spans.length - written;
  return rejected === 0 ? {} : {
    partialSuccess: { rejectedSpans: String(rejected), errorMessage: `${rejected} span(s) start outside the kept window (DEVFLOW_TRACES_DAYS, or more than a day ahead)` },
  };
}

async function storeLogs(deps: OtlpReceiverDeps, decoded: ReturnType<typeof decodeRequest>, appId: number): Promise<Record<string, unknown>> {
  await deps.logs.write(logLinesOf(decoded, appId, new Date()));
  return {};
}

async function storeMetrics(deps: OtlpReceiverDeps, decoded: ReturnType<typeof decodeRequest>, appId: number): Promise<Record<string, unknown>> {
  await deps.metrics.write(metricPointsOf(decoded, appId, new Date()));
  return {};
}

const STORE: Record<OtlpSignal, (deps: OtlpReceiverDeps, decoded: ReturnType<typeof decodeRequest>, appId: number) => Promise<Record<string, unknown>>> = {
  traces: storeTraces, logs: storeLogs, metrics: storeMetrics,
};
