/**
 * Telemetry ingest and lookup (issue 18), on the embedded PostgreSQL:
 * - OTLP/HTTP span ingest: batches of 100 spans made by the OpenTelemetry SDK and serialized as
 *   the OTLP protobuf exporter sends them, POSTed to DevFlow's receiver (telemetry/otlp/) by 4
 *   concurrent senders; beside it, the same spans written straight into the span store (no HTTP,
 *   no decoding), which is the ceiling the receiver works under.
 * - Trace lookup by id among 1,000,000 stored spans over a day (two daily partitions, 100,000
 *   traces of 10 spans): the span store's query (SpanStore.trace, what `devflow traces:show`
 *   reads) beside a direct SQL query on the trace id alone. Median of 50 lookups of random ids.
 * Usage: node --import tsx bench/telemetry.ts [spans=1000000]
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmbeddedPostgres } from '../core/embedded-postgres/embedded.js';
import { parseSecretKey } from '../core/secrets.js';
import { connect, migrate } from '../core/store/database.js';
import { MIGRATIONS } from '../core/store/migrations.js';
import { decodeRequest, spansOf } from '../telemetry/otlp/decode.js';
import { otlpSignalOf, receiveOtlp } from '../telemetry/otlp/receiver.js';
import { TelemetrySettings } from '../telemetry/settings-store.js';
import { SpanStore } from '../telemetry/traces/store.js';

const LOOKUP_SPANS = Number(process.argv[2] ?? 1_000_000);
const BATCHES = 200;
const BATCH_SPANS = 100;
const SENDERS = 4;
const LOOKUPS = 50;
const here = import.meta.dirname;

/** One request's worth of spans: 10 traces of a server span and 9 children. */
function makeBatch(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: new Resource({ 'service.name': 'shop', 'service.version': 'v7' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench');
  for (let t = 0; t < BATCH_SPANS / 10; t++) {
    const server = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, attributes: { 'http.route': '/cart', 'http.response.status_code': 200 } });
    for (let c = 0; c < 9; c++) tracer.startSpan('pg.query:SELECT shop', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM carts WHERE id = $1' } }, trace.setSpan(context.active(), server)).end();
    server.end();
  }
  return exporter.getFinishedSpans();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-otelbench-'));
  const cluster = await startEmbeddedPostgres(dir, () => {});
  const sql = connect(cluster.url, 8);
  try {
    await migrate(sql, MIGRATIONS);
    const appId = (await sql<{ id: number }[]>`INSERT INTO apps (name) VALUES ('shop') RETURNING id`)[0]!.id;
    const settings = new TelemetrySettings(sql, parseSecretKey('33'.repeat(32)));
    const token = (await settings.enable(appId)).app.ingestToken;
    const store = new SpanStore(sql, 7);
    const none = { write: async () => 0 };
    const server = http.createServer((req, res) => void receiveOtlp({ settings, store, logs: none, metrics: none, errors: { record: async () => {} } }, otlpSignalOf(req.url)!, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;

    const bodies = Array.from({ length: BATCHES }, () => Buffer.from(ProtobufTraceSerializer.serializeRequest(makeBatch())!));
    let next = 0;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await Promise.all(Array.from({ length: SENDERS }, async () => {
      while (next < BATCHES) {
        const body = bodies[next++]!;
        const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', 'x-devflow-ingest-token': token } });
        if (res.status !== 200) throw new Error(`receiver answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }));
    const httpSeconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    server.close();
    // The peer: the same number of spans written straight into the store, 4 writers.
    const direct = Array.from({ length: BATCHES }, () => spansOf(decodeRequest('traces', 'protobuf', Buffer.from(ProtobufTraceSerializer.serializeRequest(makeBatch())!)), { appId }));
    next = 0;
    const directStart = performance.now();
    await Promise.all(Array.from({ length: SENDERS }, async () => {
      while (next < BATCHES) await store.write(direct[next++]!);
    }));
    const directSeconds = (performance.now() - directStart) / 1000;
    const total = BATCHES * BATCH_SPANS;

    // A day of spans for the lookup: partitions made by writing one span per day first.
    await store.write([{ ...direct[0]![0]!, startUs: (Date.now() - 86_400_000 + 1000) * 1000 }]);
    const fillStart = performance.now();
    await sql.unsafe(`
      INSERT INTO spans (app_id, trace_id, span_id, parent_span_id, entry, name, kind, service, start_time, duration_us, attributes)
      SELECT ${appId}, md5('t' || (i / 10)), substr(md5('s' || i), 1, 16), CASE WHEN i % 10 = 0 THEN NULL ELSE substr(md5('s' || (i - i % 10)), 1, 16) END,
        i % 10 = 0, CASE WHEN i % 10 = 0 THEN 'GET /cart' ELSE 'pg.query' END, CASE WHEN i % 10 = 0 THEN 2 ELSE 3 END, 'shop',
        now() - interval '23 hours' + (i * interval '23 hours' / ${LOOKUP_SPANS}), 1000 + i % 5000, '{"db.system":"postgresql"}'
      FROM generate_series(0, ${LOOKUP_SPANS - 1}) i`);
    await sql`ANALYZE spans`;
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const ids = Array.from({ length: LOOKUPS }, () => (sql`SELECT md5('t' || ${Math.floor(Math.random() * (LOOKUP_SPANS / 10))})` as unknown as Promise<Array<{ md5: string }>>));
    const traceIds = (await Promise.all(ids)).map((r) => r[0]!.md5);
    const storeTimes: number[] = [];
    const sqlTimes: number[] = [];
    for (const id of traceIds) {
      let t = performance.now();
      const spans = await store.trace(appId, id);
      storeTimes.push(performance.now() - t);
      if (spans.length !== 10) throw new Error(`trace ${id} has ${spans.length} spans`);
      t = performance.now();
      await sql`SELECT * FROM spans WHERE trace_id = ${id}`;
      sqlTimes.push(performance.now() - t);
    }
    const load = os.loadavg()[0]!.toFixed(1);
    const text = `## Telemetry ingest and trace lookup (issue 18, \`bench/telemetry.ts\`)\n\n`
      + `${new Date().toISOString().slice(0, 10)}, embedded PostgreSQL, **load average ${load}** (other helpers building and testing), so compare the columns of one run, not absolutes.\n\n`
      + `| measure | DevFlow | peer, same run |\n| --- | --- | --- |\n`
      + `| span ingest, OTLP/HTTP protobuf, ${BATCHES} batches of ${BATCH_SPANS}, ${SENDERS} senders | ${Math.round(total / httpSeconds).toLocaleString('en')} spans/s (receiver process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s for ${total.toLocaleString('en')} spans, senders included) | ${Math.round(total / directSeconds).toLocaleString('en')} spans/s written straight into the span store |\n`
      + `| trace lookup by id among ${LOOKUP_SPANS.toLocaleString('en')} spans (median of ${LOOKUPS}) | ${median(storeTimes).toFixed(2)} ms (SpanStore.trace) | ${median(sqlTimes).toFixed(2)} ms (\`SELECT * FROM spans WHERE trace_id = $1\`) |\n\n`
      + `Filling ${LOOKUP_SPANS.toLocaleString('en')} spans with one INSERT … SELECT took ${fillSeconds.toFixed(0)} s.\n`;
    console.log(text);
    await fs.mkdir(path.join(here, 'results'), { recursive: true });
    await fs.writeFile(path.join(here, 'results', 'telemetry.md'), text);
  } finally {
    await sql.end();
    await cluster.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
