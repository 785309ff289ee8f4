/**
 * The telemetry routes (issue 18) over HTTP on the real PostgreSQL, and the CLI commands that
 * read them (run in this process against that API, their printed output checked).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApiToken } from '../../core/store/api-tokens.js';
import { createApp } from '../../core/store/apps.js';
import { parseSecretKey } from '../../core/secrets.js';
import { TelemetrySettings } from '../../telemetry/settings-store.js';
import { recordException } from '../../telemetry/index.js';
import { listErrors } from '../../cli/commands/errors.js';
import { addAlert, listAlerts, removeAlert } from '../../cli/commands/alerts.js';
import { showCustomMetrics, showMetrics } from '../../cli/commands/metrics.js';
import { addMetricRows } from '../../telemetry/metrics/store.js';
import { pointsOfExposition } from '../../telemetry/metrics/exposition.js';
import { addMetricPoints } from '../../telemetry/metrics/points.js';
import { metricPointsOf } from '../../telemetry/otlp/metrics.js';
import { CheckedApi } from '../../tests/support/api-client.js';
import { startInProcessApi, type InProcessApi } from '../../tests/support/in-process-api.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';

let db: TestDatabase;
let server: InProcessApi;
let api: CheckedApi;
const env = { ...process.env };
let appId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startInProcessApi(db.sql);
  api = new CheckedApi(server.base, server.readToken);
  appId = (await createApp(db.sql, parseAppName('tel'))).id;
  process.env.DEVFLOW_API = server.base;
  process.env.DEVFLOW_TOKEN = server.adminToken;
});
afterAll(async () => {
  process.env = env;
  await server?.close();
  await db?.drop();
});

/** What a CLI command prints. */
async function printed(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

describe('errors', () => {
  it('lists the groups over the API and in `devflow errors`', async () => {
    const stack = 'TypeError: no cart\n    at checkout (/app/cart.js:3:9)\n    at handle (/app/router.js:10:2)';
    for (const [release, at] of [[3, '2026-12-05T10:00:00Z'], [4, '2026-12-05T11:00:00Z']] as const) {
      await recordException(db.sql, { app: 'tel', release, type: 'TypeError', message: 'no cart', stack, at: new Date(at) });
    }
    const res = await api.call<Array<Record<string, unknown>>>('GET', '/apps/tel/errors');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({
      type: 'TypeError', message: 'no cart', count: 2, firstSeen: '2026-12-05T10:00:00.000Z', lastSeen: '2026-12-05T11:00:00.000Z',
      firstRelease: 3, lastRelease: 4, sampleStack: stack,
    })]);
    expect((await api.call<unknown[]>('GET', '/apps/tel/errors?since=1h')).body).toEqual([]);
    expect(await printed(() => listErrors({ app: 'tel', args: [], opts: {} }))).toBe([
      'TypeError: no cart',
      '  2×  first 2026-12-05T10:00:00.000Z  last 2026-12-05T11:00:00.000Z  v3..v4',
      '    at checkout (/app/cart.js:3:9)',
      '    at handle (/app/router.js:10:2)',
    ].join('\n'));
    expect(JSON.parse(await printed(() => listErrors({ app: 'tel', args: [], opts: { json: true } })))).toHaveLength(1);
    expect(api.problems).toEqual([]);
  });

  it('gives an exception sent as a span event its own trace as the sample, where a stderr stack has none traced near it', async () => {
    await createApp(db.sql, parseAppName('tel-otel'));
    const traceId = 'cd'.repeat(16);
    const at = new Date('2026-12-05T12:00:00Z');
    await recordException(db.sql, { app: 'tel-otel', release: 2, type: 'CartError', message: 'empty', stack: 'CartError: empty\n    at checkout (/app/cart.js:1:1)', at, traceId });
    await recordException(db.sql, { app: 'tel-otel', release: 2, type: 'RangeError', message: 'far', stack: 'RangeError: far\n    at page (/app/list.js:1:1)', at });
    const res = await api.call<Array<Record<string, unknown>>>('GET', '/apps/tel-otel/errors');
    expect(res.body.map((g) => [g.type, g.sampleTraceId])).toEqual([['RangeError', null], ['CartError', traceId]]);
    expect(api.problems).toEqual([]);
  });
});

describe('alerts', () => {
  it('adds, lists and removes rules; a read token may list but not add; bad conditions say where', async () => {
    const refused = await api.call<{ error: { code: string } }>('POST', '/apps/tel/alerts', { body: { if: 'crash_loop', notify: 'https://hooks.slack.com/services/T0/B0/secret' } });
    expect(refused.status).toBe(403);
    expect(await printed(() => addAlert({ app: 'tel', args: [], opts: { if: '5xx_rate>5% for 5m', notify: 'https://hooks.slack.com/services/T0/B0/secret' } })))
      .toMatch(/^added alert \d+ on tel: 5xx_rate > 5% for 5m → https:\/\/hooks\.slack\.com\/…$/);
    const bad = await api.call<{ error: { message: string } }>('POST', '/apps/tel/alerts', { token: server.adminToken, body: { if: '5xx_rate > 5 for 5m', notify: 'mailto:ops@example.com' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('alert condition: 5xx_rate is measured in %; write e.g. "5%" (at column 13)');
    const listed = await api.call<{ rules: Array<{ id: number; if: string; notify: string; status: string }> }>('GET', '/apps/tel/alerts');
    expect(listed.body.rules).toEqual([expect.objectContaining({ if: '5xx_rate > 5% for 5m', notify: 'https://hooks.slack.com/…', status: 'ok' })]);
    expect(await printed(() => listAlerts({ app: 'tel', args: [], opts: {} }))).toContain('5xx_rate > 5% for 5m');
    const id = String(listed.body.rules[0]!.id);
    expect(await printed(() => removeAlert({ app: 'tel', args: [id], opts: {} }))).toBe(`removed alert ${id} from tel`);
    expect((await api.call<{ rules: unknown[] }>('GET', '/apps/tel/alerts')).body.rules).toEqual([]);
    expect(api.problems).toEqual([]);
  });
});

describe('metrics', () => {
  it('summarises the minute rows of the range per process type, over the API and in `devflow metrics`', async () => {
    const minuteAgo = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    const status = { '1xx': 0, '2xx': 95, '3xx': 0, '4xx': 0, '5xx': 5 };
    // Router buckets (seconds): 0.001 … 10; all 100 requests took at most 25 ms, half at most 5 ms.
    const buckets = [0, 0, 50, 50, 100, 100, 100, 100, 100, 100, 100, 100, 100];
    await addMetricRows(db.sql, [{ appId, processType: 'web', resolution: '1m', at: minuteAgo, requests: 100, status, latencyBuckets: buckets, latencySum: 1, cpuPercent: null, memoryMb: null, instances: null, restarts: 2 }]);
    const res = await api.call<{ resolution: string; processes: Array<{ processType: string; summary: Record<string, unknown> }> }>('GET', '/apps/tel/metrics?since=1h');
    expect(res.body.resolution).toBe('1m');
    expect(res.body.processes).toEqual([expect.objectContaining({ processType: 'web', summary: expect.objectContaining({ requests: 100, rate5xx: 5, p50Ms: 5, restarts: 2 }) })]);
    const text = await printed(() => showMetrics({ app: 'tel', args: [], opts: { since: '1h' } }));
    expect(text.split('\n')[1]).toBe('web: 100 requests (1.7/min), p50 5ms, p95 24ms, p99 25ms, 5xx 5.0%');
    expect(text.split('\n')[2]).toBe('  status 1xx 0, 2xx 95, 3xx 0, 4xx 0, 5xx 5; 2 restarts');
    // The app's database figures (sampled by telemetry/metrics/database.ts; written here as a sample would be).
    await db.sql`INSERT INTO app_database_metrics (app_id, resolution, at, connections, size_bytes, cache_hit_ratio) VALUES (${appId}, '1m', ${minuteAgo}, 3, 7864320, 0.9912)`;
    const withDb = await api.call<{ database: unknown[] }>('GET', '/apps/tel/metrics?since=1h');
    expect(withDb.body.database).toEqual([{ at: minuteAgo.toISOString(), connections: 3, sizeBytes: 7864320, cacheHitRatio: 0.9912 }]);
    expect((await printed(() => showMetrics({ app: 'tel', args: [], opts: { since: '1h' } }))).split('\n').at(-1))
      .toBe(`database: 3 connections, 7.5 MB, cache hit 99.1% (at ${minuteAgo.toISOString()})`);
    expect(api.problems).toEqual([]);
  });
});

describe("the app's own metrics", () => {
  // One clock for the whole block: the points and the expected steps must not straddle a minute.
  const thisMinute = Math.floor(Date.now() / 60_000) * 60_000;
  const minute = (ago: number) => new Date(thisMinute - ago * 60_000);
  const web1 = { 'service.instance.id': 'web.1', 'devflow.process.type': 'web', 'service.version': 'v2' };
  const scrape = (orders: number, items: number) =>
    `# TYPE shop_orders_total counter\nshop_orders_total{method="GET"} ${orders}\n# TYPE shop_cart_items gauge\nshop_cart_items ${items}\n`;

  beforeAll(async () => {
    // Three scrapes of the app's Prometheus endpoint, a minute apart (as scrape.ts stores them) …
    for (const [ago, orders, items] of [[3, 100, 3], [2, 160, 5], [1, 280, 4]] as const) {
      await addMetricPoints(db.sql, pointsOfExposition(scrape(orders, items), appId, minute(ago), web1));
    }
    // … and an up-down counter the app's SDK sent over OTLP (protobuf leaves isMonotonic: false out).
    const sum = (ago: number, value: number) => ({ timeUnixNano: String(BigInt(minute(ago).getTime()) * 1_000_000n), asInt: String(value) });
    await addMetricPoints(db.sql, metricPointsOf({ format: 'protobuf', body: { resourceMetrics: [{
      resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: 'web.1' } }] },
      scopeMetrics: [{ metrics: [{ name: 'shop.queue.depth', unit: '{jobs}', sum: { aggregationTemporality: 2, dataPoints: [sum(2, 7), sum(1, 4)] } }] }],
    }] } }, appId, new Date()));
  });

  it('lists their names with how each is read, over the API (read scope) and in `devflow metrics:custom`', async () => {
    const res = await api.call<{ metrics: Array<{ name: string; kind: string; reading: string; unit: string; points: number }> }>('GET', '/apps/tel/metrics/custom?since=1h');
    expect(res.status).toBe(200);
    expect(res.body.metrics.map((m) => [m.name, m.kind, m.reading, m.unit, m.points])).toEqual([
      ['shop.queue.depth', 'sum', 'value', '{jobs}', 2], ['shop_cart_items', 'gauge', 'value', '', 3], ['shop_orders_total', 'sum', 'rate', '', 3],
    ]);
    const text = await printed(() => showCustomMetrics({ app: 'tel', args: [], opts: {} }));
    expect(text.split('\n').map((l) => l.split(/\s+/).slice(0, 5).join(' '))).toEqual([
      'NAME KIND READ AS UNIT', 'shop.queue.depth sum value {jobs} 2', 'shop_cart_items gauge value - 3', 'shop_orders_total sum rate - 3',
    ]);
    expect(api.problems).toEqual([]);
  });

  it('reads a counter as a rate per second and a gauge as its values, per series, over the API and in `devflow metrics --name`', async () => {
    const orders = await api.call<{ reading: string; stepSeconds: number; series: unknown[] }>('GET', '/apps/tel/metrics/custom/shop_orders_total?since=1h');
    expect(orders.status).toBe(200);
    expect(orders.body).toMatchObject({ reading: 'rate', stepSeconds: 60 });
    // 60 more in a minute: 1/s; then 120 more: 2/s. The first scrape only starts the count.
    expect(orders.body.series).toEqual([{ attributes: { ...web1, method: 'GET' }, points: [{ at: minute(2).toISOString(), value: 1 }, { at: minute(1).toISOString(), value: 2 }] }]);
    const items = await api.call<{ reading: string; series: Array<{ points: Array<{ value: number }> }> }>('GET', '/apps/tel/metrics/custom/shop_cart_items?since=1h');
    expect(items.body.reading).toBe('value');
    expect(items.body.series[0]!.points.map((p) => p.value)).toEqual([3, 5, 4]);
    const depth = await api.call<{ reading: string; series: Array<{ points: Array<{ value: number }> }> }>('GET', '/apps/tel/metrics/custom/shop.queue.depth?since=1h');
    expect(depth.body.series[0]!.points.map((p) => p.value)).toEqual([7, 4]);
    const text = await printed(() => showMetrics({ app: 'tel', args: [], opts: { since: '1h', name: 'shop_orders_total' } }));
    expect(text.split('\n')[0]).toMatch(/^tel shop_orders_total \(sum, read as a rate per second; 1-minute steps\)  \S+ \.\. \S+$/);
    expect(text.split('\n').slice(1)).toEqual([
      '  devflow.process.type=web method=GET service.instance.id=web.1 service.version=v2',
      `    latest 2/s, mean 1.5/s, max 2/s over 2 steps (last at ${minute(1).toISOString()})`,
    ]);
    const json = JSON.parse(await printed(() => showMetrics({ app: 'tel', args: [], opts: { since: '1h', name: 'shop_cart_items', json: true } }))) as { series: Array<{ points: unknown[] }> };
    expect(json.series[0]!.points).toHaveLength(3);
    expect(api.problems).toEqual([]);
  });

  it('answers a name the app has no points of with 404 naming the ones it has, and a bad range with 400', async () => {
    const missing = await api.call<{ error: { code: string; message: string } }>('GET', '/apps/tel/metrics/custom/shop_order_total');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`no metric named "shop_order_total"; the app's metrics are shop.queue.depth, shop_cart_items, shop_orders_total`);
    const range = await api.call<{ error: { message: string } }>('GET', '/apps/tel/metrics/custom/shop_orders_total?since=10m&until=1h');
    expect(range.status).toBe(400);
    // An older range of a metric that exists has no points, not a 404.
    const old = await api.call<{ series: unknown[] }>('GET', '/apps/tel/metrics/custom/shop_orders_total?since=3h&until=2h');
    expect(old.status).toBe(200);
    expect(old.body.series).toEqual([]);
    expect(api.problems).toEqual([]);
  });
});

describe('who may read and who may configure', () => {
  it('a read token reads the errors, alerts and metrics, and may neither remove a rule nor change telemetry', async () => {
    const added = await api.call<{ id: number }>('POST', '/apps/tel/alerts', { token: server.adminToken, body: { if: 'crash_loop', notify: 'mailto:ops@example.com' } });
    expect(added.status).toBe(201);
    for (const path of ['/apps/tel/errors', '/apps/tel/alerts', '/apps/tel/metrics?since=1h']) expect((await api.call('GET', path)).status).toBe(200);
    const removal = await api.call<{ error: { code: string } }>('DELETE', `/apps/tel/alerts/${added.body.id}`);
    expect(removal.status).toBe(403);
    expect((await api.call('POST', '/apps/tel/telemetry', { body: { sample: 1 } })).status).toBe(403);
    expect((await api.call('DELETE', '/apps/tel/telemetry')).status).toBe(403);
    // The rule is still there: the refusals changed nothing.
    expect((await api.call<{ rules: Array<{ id: number }> }>('GET', '/apps/tel/alerts')).body.rules.map((r) => r.id)).toEqual([added.body.id]);
    expect((await api.call('DELETE', `/apps/tel/alerts/${added.body.id}`, { token: server.adminToken })).status).toBe(200);
  });

  it("a token limited to another app reads none of this app's telemetry, and an ingest token is no API token", async () => {
    const other = await createApp(db.sql, parseAppName('tel-other'));
    const limited = await createApiToken(db.sql, { name: 'other-only', scope: 'admin', expiresInMs: null, owner: { personId: null, teamId: null, appIds: [other.id] } });
    for (const path of ['/apps/tel/errors', '/apps/tel/alerts', '/apps/tel/metrics?since=1h', '/apps/tel/logs?query=error', '/apps/tel/metrics/custom', '/apps/tel/metrics/custom/shop_cart_items']) {
      expect([403, 404], path).toContain((await api.call('GET', path, { token: limited.secret })).status);
    }
    expect((await api.call('GET', '/apps/tel-other/errors', { token: limited.secret })).status).toBe(200);
    const ingest = (await new TelemetrySettings(db.sql, parseSecretKey('22'.repeat(32))).enable(appId)).app.ingestToken;
    for (const path of ['/apps/tel/errors', '/apps/tel/metrics?since=1h']) expect((await api.call('GET', path, { token: ingest })).status).toBe(401);
  });
});
