/**
 * The OTLP/HTTP receiver on a real HTTP server and the test run's real PostgreSQL, fed requests
 * made by OpenTelemetry's own SDK (spans from @opentelemetry/sdk-trace-base) and serializers
 * (@opentelemetry/otlp-transformer, what the OTLP exporters send), in protobuf and JSON, plain
 * and gzip-compressed; and logs and metrics sent by OpenTelemetry's own OTLP/HTTP protobuf
 * exporters (@opentelemetry/exporter-logs-otlp-proto, exporter-metrics-otlp-proto), read back
 * through log search and the metrics store.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecretKey } from '../../core/secrets.js';
import { createApp } from '../../core/store/apps.js';
import type { AppName } from '../../core/names.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { TelemetrySettings } from '../settings-store.js';
import { SpanStore } from '../traces/store.js';
import { addLogLines } from '../logs/otlp-lines.js';
import { searchLogs } from '../logs/search.js';
import { addMetricPoints, readMetricPoints } from '../metrics/points.js';
import { listErrorGroups, recordExceptions } from '../errors/store.js';
import { otlpSignalOf, receiveOtlp, type OtlpReceiverDeps } from './receiver.js';

/** A request with a server span and a child client span, as an instrumented app makes them. */
function appSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': 'shop', 'service.version': 'v3' }), spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('receiver-test');
  const server = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, attributes: { 'http.route': '/cart', 'http.response.status_code': 500 } });
  const client = tracer.startSpan('SELECT shop', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, trace.setSpan(context.active(), server));
  client.end();
  server.recordException(new Error('cart failed'));
  server.setStatus({ code: SpanStatusCode.ERROR });
  server.end();
  return exporter.getFinishedSpans();
}

describe('OTLP/HTTP receiver', () => {
  let db: TestDatabase;
  let server: http.Server;
  let base: string;
  let store: SpanStore;
  let settings: TelemetrySettings;
  let logs: OtlpReceiverDeps['logs'];
  let metrics: OtlpReceiverDeps['metrics'];
  let errors: OtlpReceiverDeps['errors'];
  let shop: { id: number; token: string };
  let other: { id: number; token: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    settings = new TelemetrySettings(db.sql, parseSecretKey('11'.repeat(32)));
    store = new SpanStore(db.sql, 7);
    logs = { write: (lines) => addLogLines(db.sql, lines) };
    metrics = { write: (points) => addMetricPoints(db.sql, points) };
    errors = { record: (found) => recordExceptions(db.sql, found) };
    const enable = async (name: string) => {
      const app = await createApp(db.sql, name as AppName);
      return { id: app.id, token: (await settings.enable(app.id)).app.ingestToken };
    };
    shop = await enable('shop');
    other = await enable('other');
    server = http.createServer((req, res) => {
      const signal = otlpSignalOf(req.url);
      if (signal === undefined) res.writeHead(404).end();
      else void receiveOtlp({ settings, store, logs, metrics, errors, maxBytes: 64 * 1024 }, signal, req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await db.drop();
  });

  const post = (path: string, body: Uint8Array | string, headers: Record<string, string>) =>
    fetch(`${base}${path}`, { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body), headers });

  async function storedTrace(appId: number, spans: ReadableSpan[]) {
    return store.trace(appId, spans[0]!.spanContext().traceId);
  }

  it('stores a protobuf export as the app\'s spans, with parent, kind, status and exception event', async () => {
    const spans = appSpans();
    const res = await post('/v1/traces', ProtobufTraceSerializer.serializeRequest(spans)!, {
      'content-type': 'application/x-protobuf', 'x-devflow-ingest-token': shop.token,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const stored = await storedTrace(shop.id, spans);
    const server = stored.find((s) => s.name === 'GET /cart')!;
    const client = stored.find((s) => s.name === 'SELECT shop')!;
    expect(server).toMatchObject({ kind: 2, statusCode: 2, httpStatus: 500, route: '/cart', parentSpanId: null, service: 'shop', release: 'v3' });
    expect(server.events).toEqual([expect.objectContaining({ name: 'exception', attributes: expect.objectContaining({ 'exception.message': 'cart failed' }) })]);
    expect(client).toMatchObject({ kind: 3, parentSpanId: server.spanId, attributes: { 'db.system': 'postgresql' } });
    expect(await store.listTraces(shop.id, { sinceMs: Date.now() - 60_000, slowest: false, limit: 10 }))
      .toContainEqual(expect.objectContaining({ traceId: server.traceId, error: true, httpStatus: 500 }));
  });

  it('stores JSON, gzip-compressed, with a Bearer token', async () => {
    const spans = appSpans();
    const res = await post('/v1/traces', zlib.gzipSync(JsonTraceSerializer.serializeRequest(spans)!), {
      'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${shop.token}`,
    });
    expect([res.status, await res.json()]).toEqual([200, {}]);
    expect((await storedTrace(shop.id, spans)).map((s) => s.name).sort()).toEqual(['GET /cart', 'SELECT shop']);
  });

  it('refuses without a valid token with 401 and stores nothing', async () => {
    const spans = appSpans();
    const body = ProtobufTraceSerializer.serializeRequest(spans)!;
    for (const headers of [{}, { 'x-devflow-ingest-token': 'dfi_wrong' }, { authorization: 'Bearer dfl_an-api-token' }] as Array<Record<string, string>>) {
      const res = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf', ...headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/ingest token/);
    }
    expect(await storedTrace(shop.id, spans)).toEqual([]);
  });

  it("writes with one app's token only into that app: the other app reads nothing of it", async () => {
    const spans = appSpans();
    await post('/v1/traces', ProtobufTraceSerializer.serializeRequest(spans)!, { 'content-type': 'application/x-protobuf', 'x-devflow-ingest-token': other.token });
    expect(await storedTrace(shop.id, spans)).toEqual([]);
    expect(await storedTrace(other.id, spans)).toHaveLength(2);
  });

  it('answers 400 with a message for bodies that do not decode, and stores nothing', async () => {
    const auth = { 'x-devflow-ingest-token': shop.token };
    const cases: Array<[Record<string, string>, Uint8Array | string, RegExp]> = [
      [{ 'content-type': 'application/x-protobuf' }, Buffer.from([0x0a, 0xff, 0xff, 0xff]), /does not decode/],
      [{ 'content-type': 'application/json' }, '{"resourceSpans": [', /does not parse/],
      [{ 'content-type': 'application/json' }, '{"resourceSpans": {}}', /must be a list/],
      [{ 'content-type': 'application/json' }, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: '0011223344556677', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }), /traceId must be 32 hex/],
      [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'not gzip', /not valid gzip/],
    ];
    for (const [headers, body, message] of cases) {
      const res = await post('/v1/traces', body, { ...auth, ...headers });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const rows = await db.sql<Array<{ count: string }>>`SELECT count(*) FROM spans WHERE app_id = ${shop.id} AND trace_id = 'xyz'`;
    expect(rows[0]!.count).toBe('0');
  });

  it('answers 413 past the size limit, compressed or once decompressed', async () => {
    const auth = { 'x-devflow-ingest-token': shop.token, 'content-type': 'application/json' };
    const big = JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(100 * 1024) });
    const plain = await post('/v1/traces', big, auth);
    expect(plain.status).toBe(413);
    expect(((await plain.json()) as { error: { message: string } }).error.message).toMatch(/at most 65536 bytes/);
    const bomb = await post('/v1/traces', zlib.gzipSync(big), { ...auth, 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
  });

  it('answers 415 for another content type', async () => {
    const res = await post('/v1/traces', 'hello', { 'x-devflow-ingest-token': shop.token, 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('stores OTLP/JSON logs and metrics for the token\'s app, and answers an empty success', async () => {
    const auth = { 'x-devflow-ingest-token': shop.token, 'content-type': 'application/json' };
    const logs = await post('/v1/logs', JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hi' }, severityNumber: 17 }, {}] }] }] }), auth);
    expect([logs.status, await logs.json()]).toEqual([200, {}]);
    const metrics = await post('/v1/metrics', JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'x', gauge: { dataPoints: [{ asInt: '7' }] } }] }] }] }), auth);
    expect([metrics.status, await metrics.json()]).toEqual([200, {}]);
    expect(await db.sql`SELECT line FROM runtime_logs WHERE app_id = ${shop.id} ORDER BY id`).toEqual([{ line: '{"level":"error","msg":"hi"}' }, { line: '{}' }]);
    expect(await db.sql`SELECT name, kind, value FROM app_metric_points WHERE app_id = ${shop.id}`).toEqual([{ name: 'x', kind: 'gauge', value: 7 }]);
  });

  // What an instrumented app of DevFlow's sends: its resource names the instance and release.
  const appResource = () => new Resource({ 'service.name': 'other', 'service.instance.id': 'web.2', 'devflow.process.type': 'web', 'service.version': 'v4' });

  it('stores log records from the OTLP log exporter as JSON lines that log search finds by field', async () => {
    const exporter = new OTLPLogExporter({ url: `${base}/v1/logs`, headers: { 'x-devflow-ingest-token': other.token } });
    const provider = new LoggerProvider({ resource: appResource() });
    provider.addLogRecordProcessor(new SimpleLogRecordProcessor(exporter));
    const logger = provider.getLogger('checkout');
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment timeout', attributes: { 'order.id': 'o-17' } });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: { msg: 'order placed', total: 12 } });
    await provider.shutdown();

    const errors = await searchLogs(db.sql, { appId: other.id, query: 'level:error "timeout"', limit: 10 });
    expect(errors.map((l) => [l.instance, l.processType, l.release, l.fields])).toEqual([
      ['web.2', 'web', 4, { level: 'error', msg: 'payment timeout', 'order.id': 'o-17' }],
    ]);
    expect((await searchLogs(db.sql, { appId: other.id, query: 'level:info total>10', limit: 10 })).map((l) => l.fields?.msg)).toEqual(['order placed']);
    expect(await searchLogs(db.sql, { appId: shop.id, query: '"payment timeout"', limit: 10 })).toEqual([]);
  });

  it('stores data points from the OTLP metric exporter: sums and gauges by value, histograms by count and sum', async () => {
    const exporter = new OTLPMetricExporter({ url: `${base}/v1/metrics`, headers: { 'x-devflow-ingest-token': other.token } });
    const provider = new MeterProvider({ resource: appResource(), readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })] });
    const meter = provider.getMeter('checkout');
    const orders = meter.createCounter('orders', { unit: '{order}' });
    orders.add(2, { country: 'fr' });
    orders.add(1, { country: 'fr' });
    meter.createHistogram('checkout.duration', { unit: 'ms' }).record(120);
    meter.createHistogram('checkout.duration', { unit: 'ms' }).record(80);
    await provider.shutdown();

    const points = await readMetricPoints(db.sql, { appId: other.id, since: new Date(Date.now() - 60_000) });
    expect(points.map((p) => [p.name, p.kind, p.unit, p.value, p.count, p.attributes])).toEqual(expect.arrayContaining([
      ['orders', 'sum', '{order}', 3, null, { country: 'fr', 'service.instance.id': 'web.2', 'devflow.process.type': 'web', 'service.version': 'v4' }],
      ['checkout.duration', 'histogram', 'ms', 200, 2, { 'service.instance.id': 'web.2', 'devflow.process.type': 'web', 'service.version': 'v4' }],
    ]));
    expect(points).toHaveLength(2);
    expect(await readMetricPoints(db.sql, { appId: shop.id, since: new Date(0), name: 'orders' })).toEqual([]);
  });

  it('groups exceptions recorded on spans (the OTLP trace exporter) into the app\'s error groups, with the trace as sample', async () => {
    const app = await createApp(db.sql, 'err-otel' as AppName);
    const token = (await settings.enable(app.id)).app.ingestToken;
    const exporter = new OTLPTraceExporter({ url: `${base}/v1/traces`, headers: { 'x-devflow-ingest-token': token } });
    const provider = new BasicTracerProvider({
      resource: new Resource({ 'service.name': 'err-otel', 'service.version': 'v6' }), spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('errors-test');
    class CartError extends Error {
      override name = 'CartError';
    }
    // The same fault twice (same place, different message) and another once, each in its own request.
    const checkout = (id: number) => new CartError(`cart ${id} is empty`);
    const traced = (error: Error) => {
      const span = tracer.startSpan('POST /checkout', { kind: SpanKind.SERVER });
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return span.spanContext().traceId;
    };
    traced(checkout(1));
    const latest = traced(checkout(2));
    const other = traced(new RangeError('page 9 out of range'));
    await provider.shutdown();

    const groups = await listErrorGroups(db.sql, app.id);
    expect(groups.map((g) => [g.type, g.message, g.count, g.firstRelease, g.lastRelease, g.sampleTraceId])).toEqual([
      ['RangeError', 'page 9 out of range', 1, 6, 6, other],
      ['CartError', 'cart 2 is empty', 2, 6, 6, latest],
    ]);
    expect(groups[1]!.sampleStack).toMatch(/^CartError: cart 2 is empty\n\s+at checkout /);
    expect(groups[1]!.firstSeen.getTime()).toBeLessThanOrEqual(groups[1]!.lastSeen.getTime());
    // Another app's token wrote none of these.
    expect((await listErrorGroups(db.sql, shop.id)).map((g) => g.type)).not.toContain('CartError');
  });
});
