/**
 * The OTLP/HTTP receiver on a real HTTP server and the test run's real PostgreSQL, fed requests
 * made by OpenTelemetry's own SDK (spans from @opentelemetry/sdk-trace-base) and serializers
 * (@opentelemetry/otlp-transformer, what the OTLP exporters send), in protobuf and JSON, plain
 * and gzip-compressed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecretKey } from '../../core/secrets.js';
import { createApp } from '../../core/store/apps.js';
import type { AppName } from '../../core/names.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { TelemetrySettings } from '../settings-store.js';
import { SpanStore } from '../traces/store.js';
import { otlpSignalOf, receiveOtlp } from './receiver.js';

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
  let shop: { id: number; token: string };
  let other: { id: number; token: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    settings = new TelemetrySettings(db.sql, parseSecretKey('11'.repeat(32)));
    store = new SpanStore(db.sql, 7);
    const enable = async (name: string) => {
      const app = await createApp(db.sql, name as AppName);
      return { id: app.id, token: (await settings.enable(app.id)).app.ingestToken };
    };
    shop = await enable('shop');
    other = await enable('other');
    server = http.createServer((req, res) => {
      const signal = otlpSignalOf(req.url);
      if (signal === undefined) res.writeHead(404).end();
      else void receiveOtlp({ settings, store, maxBytes: 64 * 1024 }, signal, req, res);
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

  it('acknowledges logs and metrics as not stored (a partial success), so exporters carry on', async () => {
    const auth = { 'x-devflow-ingest-token': shop.token, 'content-type': 'application/json' };
    const logs = await post('/v1/logs', JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hi' } }, {}] }] }] }), auth);
    expect([logs.status, await logs.json()]).toEqual([200, { partialSuccess: { rejectedLogRecords: '2', errorMessage: 'DevFlow does not store OTLP logs yet' } }]);
    const metrics = await post('/v1/metrics', JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'x', gauge: { dataPoints: [{ asInt: '1' }] } }] }] }] }), auth);
    expect(((await metrics.json()) as { partialSuccess: { rejectedDataPoints: string } }).partialSuccess.rejectedDataPoints).toBe('1');
  });
});
