import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { ProxyMetrics } from '../../router/metrics.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { MetricsSampler } from './sampler.js';
import { readMetricRows } from './store.js';

let db: TestDatabase;
let appId: number;
beforeAll(async () => {
  db = await createTestDatabase();
  appId = (await createApp(db.sql, parseAppName('metered'))).id;
});
afterAll(async () => db.drop());

const at = (h: number, m: number, s = 0) => new Date(Date.UTC(2026, 11, 5, h, m, s));

describe('MetricsSampler over the router\'s counters', () => {
  it('stores each minute\'s traffic and folds finished hours, again and again the same', async () => {
    const router = new ProxyMetrics();
    const sampler = new MetricsSampler({ sql: db.sql, traffic: router, log: () => {} });
    router.record('metered', 200, 0.004);
    router.record('metered', 503, 0.2);
    router.record('unknown-host', 404, 0.001);
    await sampler.pass(at(10, 59, 5));
    router.record('metered', 200, 0.004);
    await sampler.pass(at(11, 0, 5));
    await sampler.pass(at(11, 1, 5)); // no traffic: no row
    const minutes = await readMetricRows(db.sql, { appId, resolution: '1m', since: at(10, 0) });
    expect(minutes.map((r) => [r.at, r.requests, r.status['5xx'], r.latencyBuckets!.slice(0, 3)])).toEqual([
      [at(10, 58), 2, 1, [0, 0, 1]],
      [at(10, 59), 1, 0, [0, 0, 1]],
    ]);
    await sampler.pass(at(11, 2, 5));
    const hours = await readMetricRows(db.sql, { appId, resolution: '1h', since: at(9, 0) });
    expect(hours.map((r) => [r.at, r.requests, r.status['2xx'], r.status['5xx'], r.latencyBuckets!.slice(0, 3), r.latencyBuckets!.at(-1)])).toEqual([
      [at(10, 0), 3, 2, 1, [0, 0, 2], 3],
    ]);
  });
});
