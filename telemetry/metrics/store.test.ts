import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { ProxyMetrics } from '../../router/metrics.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { MetricsSampler } from './sampler.js';
import type { UsageReading } from '../../scheduler/runtime/usage.js';
import { readAppMetrics } from './query.js';
import { readMetricRows } from './store.js';
import { saveCrash } from '../../core/store/crashes.js';

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

  it('every 10 s (DEVFLOW_METRICS_EVERY_SECONDS=10), the passes add up in their minute\'s row', async () => {
    const router = new ProxyMetrics();
    const sampler = new MetricsSampler({ sql: db.sql, traffic: router, log: () => {}, everyMs: 10_000 });
    router.record('metered', 200, 0.004);
    await sampler.pass(at(16, 0, 15));
    router.record('metered', 500, 0.2);
    router.record('metered', 200, 0.004);
    await sampler.pass(at(16, 0, 25));
    router.record('metered', 200, 0.004);
    await sampler.pass(at(16, 1, 5)); // its 10 s began at 16:00:55
    router.record('metered', 404, 0.004);
    await sampler.pass(at(16, 1, 15));
    const minutes = await readMetricRows(db.sql, { appId, resolution: '1m', since: at(15, 59), until: at(16, 2) });
    expect(minutes.map((r) => [r.at, r.requests, r.status['2xx'], r.status['4xx'], r.status['5xx']])).toEqual([
      [at(16, 0), 4, 3, 0, 1],
      [at(16, 1), 1, 0, 1, 0],
    ]);
  });

  it('stores the instances\' CPU (from two readings) and memory, per instance and summed per process type', async () => {
    const MB = 1024 * 1024;
    let readings: UsageReading[] = [];
    const sampler = new MetricsSampler({ sql: db.sql, traffic: new ProxyMetrics(), usage: { readUsage: async () => readings }, log: () => {} });
    const reading = (id: string, cpuSeconds: number, memoryMb: number, at: Date): UsageReading =>
      ({ instanceId: id, app: 'metered', processType: 'web', cpuNs: cpuSeconds * 1e9, memoryBytes: memoryMb * MB, at: at.getTime() });
    readings = [reading('web.1', 10, 40, at(12, 0, 5)), reading('web.2', 2, 30, at(12, 0, 5))];
    await sampler.pass(at(12, 0, 5));
    readings = [reading('web.1', 40, 48, at(12, 1, 5)), reading('web.2', 8, 32, at(12, 1, 5))];
    await sampler.pass(at(12, 1, 5));

    const rows = await readMetricRows(db.sql, { appId, resolution: '1m', since: at(11, 59), until: at(12, 1) });
    expect(rows.map((r) => [r.at, r.cpuPercent, r.memoryMb, r.instances])).toEqual([
      [at(11, 59), null, 70, 2],
      [at(12, 0), 60, 80, 2],     // 30 s and 6 s of CPU over a minute: 50% + 10%
    ]);
    const metrics = await readAppMetrics(db.sql, appId, at(11, 59), at(12, 1));
    expect(metrics.instances.map((i) => [i.instance, i.at, i.cpuPercent, i.memoryMb])).toEqual([['web.1', at(12, 0), 50, 48], ['web.2', at(12, 0), 10, 32]]);
    expect(metrics.processes[0]!.summary).toMatchObject({ cpuPercent: 60, memoryMb: 80 });
  });
});

describe('restarts in the metrics', () => {
  it('counts the supervisor\'s recorded exits per process type and minute, sums them by hour, and summarises them', async () => {
    const crashing = (await createApp(db.sql, parseAppName('crashing'))).id;
    const sampler = new MetricsSampler({ sql: db.sql, traffic: new ProxyMetrics(), log: () => {} });
    const exit = (processType: string, slot: number, exits: number, first: Date, last: Date) =>
      saveCrash(db.sql, crashing, { release: 1, processType, slot, exits, firstExitAt: first, lastExitAt: last, restartAt: last, lastLines: [], crashExits: 3 });
    await exit('web', 1, 1, at(14, 0, 10), at(14, 0, 10));
    await sampler.pass(at(14, 1, 0)); // the minute 14:00: web.1 exited once
    await exit('web', 1, 3, at(14, 0, 10), at(14, 1, 40));
    await exit('worker', 1, 1, at(14, 1, 20), at(14, 1, 20));
    await sampler.pass(at(14, 2, 0)); // 14:01: web.1 twice more, worker.1 once
    await sampler.pass(at(14, 3, 0)); // 14:02: nothing new
    const minutes = await readMetricRows(db.sql, { appId: crashing, resolution: '1m', since: at(14, 0) });
    expect(minutes.map((r) => [r.at, r.processType, r.restarts, r.requests])).toEqual([
      [at(14, 0), 'web', 1, 0], [at(14, 1), 'web', 2, 0], [at(14, 1), 'worker', 1, 0],
    ]);
    await sampler.pass(at(15, 0, 30));
    const hours = await readMetricRows(db.sql, { appId: crashing, resolution: '1h', since: at(14, 0) });
    expect(hours.map((r) => [r.at, r.processType, r.restarts])).toEqual([[at(14, 0), 'web', 3], [at(14, 0), 'worker', 1]]);
    const view = await readAppMetrics(db.sql, crashing, at(14, 0), at(14, 30));
    expect(view.processes.map((p) => [p.processType, p.summary.restarts, p.points.map((x) => x.restarts)])).toEqual([['web', 3, [1, 2]], ['worker', 1, [1]]]);
  });
});
