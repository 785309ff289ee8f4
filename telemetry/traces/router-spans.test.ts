/**
 * The router's spans end to end in one process: the embedded proxy with tracing on, a real
 * upstream that reports the traceparent it received, and the span store on the test run's real
 * PostgreSQL.
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

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0([01])$/;

describe('router spans', () => {
  let db: TestDatabase;
  let upstream: TestServer;
  let proxy: EmbeddedProxy;
  let port: number;
  let tracer: RouterTracer;
  let store: SpanStore;
  let appId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    appId = (await createApp(db.sql, 'shop' as AppName)).id;
    store = new SpanStore(db.sql, 7);
    upstream = await startUpstream((req, res) => {
      const status = req.url === '/boom' ? 500 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null, tracestate: req.headers.tracestate ?? null }));
    });
    tracer = new RouterTracer(new SpanBuffer(new RouterSpanWriter(db.sql, store), { flushEveryMs: 60_000 }));
    tracer.setSampling({ ratio: 1, slowMs: 1000 }, new Map([['quiet', { ratio: 0, slowMs: 60_000 }]]));
    ({ proxy, port } = await startProxy({ tracer }));
    proxy.setTable(buildRoutingTable({
      domain: 'localhost',
      apps: [
        { name: 'shop', upstreams: [{ ...upstream.upstream, instance: 'shop.web.1' }], release: 12 },
        { name: 'quiet', upstreams: [upstream.upstream] },
      ],
    }));
  });

  afterAll(async () => {
    await proxy.close();
    await tracer.buffer.close();
    await upstream.close();
    await db.drop();
  });

  it('continues a client trace: the app gets the trace id with the router span as parent, tracestate kept', async () => {
    const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await send(port, 'shop.localhost', {
      path: '/cart?id=7', headers: { traceparent: `00-${clientTrace}-00f067aa0ba902b7-01`, tracestate: 'vendor=abc' },
    });
    const seen = JSON.parse(res.body) as { traceparent: string; tracestate: string };
    const [, traceId, routerSpanId, sampled] = TRACEPARENT.exec(seen.traceparent)!;
    expect(traceId).toBe(clientTrace);
    expect(routerSpanId).not.toBe('00f067aa0ba902b7');
    expect(sampled).toBe('1');
    expect(seen.tracestate).toBe('vendor=abc');

    await tracer.buffer.flush();
    const spans = await store.trace(appId, clientTrace);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      spanId: routerSpanId, parentSpanId: '00f067aa0ba902b7', name: 'GET /cart', service: 'devflow-router', httpStatus: 200,
      route: '/cart', release: 'v12',
      attributes: expect.objectContaining({
        'server.address': 'shop.localhost', 'devflow.instance': 'shop.web.1', 'devflow.upstream': `127.0.0.1:${upstream.upstream.port}`,
        'http.response.body.size': Buffer.byteLength(res.body),
      }),
    });
  });

  it('starts a new trace when the caller sent none or a malformed one', async () => {
    for (const headers of [{}, { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }, { traceparent: 'garbage' }]) {
      const seen = JSON.parse((await send(port, 'shop.localhost', { path: '/new', headers })).body) as { traceparent: string };
      const [, traceId] = TRACEPARENT.exec(seen.traceparent)!;
      expect(traceId).not.toBe('00000000000000000000000000000000');
      await tracer.buffer.flush();
      const [span] = await store.trace(appId, traceId!);
      expect(span).toMatchObject({ parentSpanId: null, route: '/new' });
    }
  });

  it('keeps server errors of an app that samples nothing else, and only those', async () => {
    const quietId = (await createApp(db.sql, 'quiet' as AppName)).id;
    const ok = JSON.parse((await send(port, 'quiet.localhost', { path: '/fine' })).body) as { traceparent: string };
    const boom = JSON.parse((await send(port, 'quiet.localhost', { path: '/boom' })).body) as { traceparent: string };
    expect(ok.traceparent).toMatch(/-00$/);
    await tracer.buffer.flush();
    const traces = await store.listTraces(quietId, { sinceMs: Date.now() - 60_000, slowest: false, limit: 10 });
    expect(traces.map((t) => [t.traceId, t.httpStatus, t.error])).toEqual([[TRACEPARENT.exec(boom.traceparent)![1], 500, true]]);
  });
});
