/**
 * Issue 18's "telemetry never takes an app down", for the router's side: the embedded proxy with
 * tracing on, every request sampled, its spans going to the span store on the test run's real
 * PostgreSQL, while another session holds the spans table locked (a store that does not answer,
 * as a stuck or overloaded database would). Every request is still answered and still carries a
 * traceparent to the app; the spans past the buffer's capacity are dropped and counted, and once
 * the lock goes the spans the buffer kept are written. Throughput itself is the router bench's
 * (bench/router.ts), not a test's. The app's side (its OTLP receiver down) is
 * telemetry/agent/receiver-down.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../core/store/apps.js';
import type { AppName } from '../../core/names.js';
import { send, startProxy, startUpstream, type TestServer } from '../../router/fixtures.js';
import type { EmbeddedProxy } from '../../router/proxy.js';
import { buildRoutingTable } from '../../router/table.js';
import { SpanBuffer } from '../../router/tracing/span-buffer.js';
import { RouterTracer } from '../../router/tracing/tracer.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { RouterSpanWriter } from './router-sink.js';
import { SpanStore } from './store.js';

const REQUESTS = 300;
const CONCURRENCY = 10;
const CAPACITY = 100;

let db: TestDatabase;
let upstream: TestServer;
let proxy: EmbeddedProxy;
let port: number;
let buffer: SpanBuffer;
let appId: number;
const traceparents: Array<string | undefined> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  appId = (await createApp(db.sql, 'shop' as AppName)).id;
  upstream = await startUpstream((req, res) => {
    traceparents.push(req.headers.traceparent as string | undefined);
    res.end('ok');
  });
  buffer = new SpanBuffer(new RouterSpanWriter(db.sql, new SpanStore(db.sql, 7)), { capacity: CAPACITY, batchSize: 20, flushEveryMs: 20 });
  const tracer = new RouterTracer(buffer);
  tracer.setSampling({ ratio: 1, slowMs: 60_000 });
  ({ proxy, port } = await startProxy({ tracer }));
  proxy.setTable(buildRoutingTable({ domain: 'localhost', apps: [{ name: 'shop', upstreams: [{ ...upstream.upstream, instance: 'shop.web.1' }], release: 1 }] }));
});

afterAll(async () => {
  await proxy?.close();
  await buffer?.close();
  await upstream?.close();
  await db?.drop();
});

describe('the router with its span store stuck', () => {
  it('answers every request, passes the traceparent on, drops what does not fit and writes the rest once the store is back', async () => {
    let unlock!: () => void;
    const held = new Promise<void>((resolve) => (unlock = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const lock = db.sql.begin(async (tx) => {
      await tx`LOCK TABLE spans IN ACCESS EXCLUSIVE MODE`;
      locked();
      await held;
    });
    await isLocked;

    const statuses: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        statuses.push((await send(port, 'shop.localhost')).status);
      }
    }));
    expect(statuses.filter((s) => s === 200)).toHaveLength(REQUESTS);
    expect(traceparents.filter((t) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(t ?? ''))).toHaveLength(REQUESTS);
    // Nothing was written while the table was locked; what did not fit in the buffer was dropped.
    expect(buffer.written).toBe(0);
    expect(buffer.dropped).toBeGreaterThan(0);

    unlock();
    await lock;
    await buffer.close();
    const [row] = await db.sql<Array<{ count: string }>>`SELECT count(*) FROM spans WHERE app_id = ${appId}`;
    expect(Number(row!.count)).toBe(buffer.written);
    expect(buffer.written + buffer.dropped).toBe(REQUESTS);
    expect(buffer.written).toBeGreaterThan(0);
  });
});
