/**
 * Scraping an app's own Prometheus endpoint, on the real PostgreSQL with a real HTTP endpoint.
 * The runtime's instance list is a stand-in naming that endpoint's address (a pushed app would
 * make this an end-to-end test; the runtime's list itself is tested with the runtimes).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, type AppName } from '../../core/names.js';
import { parseSecretKey } from '../../core/secrets.js';
import { createApp } from '../../core/store/apps.js';
import { replaceConfigVars } from '../../core/store/config-vars.js';
import type { Instance } from '../../core/types.js';
import { ProxyMetrics } from '../../router/metrics.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { TelemetrySettings } from '../settings-store.js';
import { readMetricPoints } from './points.js';
import { MetricsSampler } from './sampler.js';

let db: TestDatabase;
let server: http.Server;
let port: number;
const asked: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    if (req.url !== '/internal/metrics') return void res.writeHead(404).end('no');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# HELP orders_total Orders.\n# TYPE orders_total counter\norders_total{country="fr"} 12\n# TYPE queue_depth gauge\nqueue_depth 3\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await db.drop();
});

describe('scraping an app\'s /metrics', () => {
  it('stores the points of each running web instance of opted-in apps, says once which failed, and leaves other apps alone', async () => {
    const settings = new TelemetrySettings(db.sql, parseSecretKey('44'.repeat(32)));
    const shop = await createApp(db.sql, parseAppName('scr-shop'));
    const quiet = await createApp(db.sql, parseAppName('scr-quiet')); // telemetry on, no path: not scraped
    const off = await createApp(db.sql, parseAppName('scr-off')); // a path but telemetry off: not scraped
    await settings.enable(shop.id);
    await settings.enable(quiet.id);
    await replaceConfigVars(db.sql, shop.id, { DEVFLOW_METRICS_PATH: '/internal/metrics' });
    await replaceConfigVars(db.sql, off.id, { DEVFLOW_METRICS_PATH: '/internal/metrics' });
    const instance = (app: string, id: string, state: Instance['state'], p: number | null): Instance =>
      ({ id, app: app as AppName, release: 5, processType: 'web' as Instance['processType'], upstream: p === null ? null : { host: '127.0.0.1', port: p }, state });
    const listed: string[] = [];
    const runtime = {
      async list(app: AppName) {
        listed.push(app);
        return app === 'scr-shop'
          ? [instance(app, 'scr-shop-web-1', 'running', port), instance(app, 'scr-shop-web-2', 'running', 9), instance(app, 'scr-shop-web-3', 'exited', port), instance(app, 'scr-shop-worker-1', 'running', null)]
          : [instance(app, `${app}-web-1`, 'running', port)];
      },
    };
    const logged: string[] = [];
    const sampler = new MetricsSampler({ sql: db.sql, traffic: new ProxyMetrics(), scrape: runtime, log: (line) => logged.push(line) });
    const now = new Date();
    await sampler.pass(now);
    await sampler.pass(new Date(now.getTime() + 60_000));

    expect(listed).toEqual(['scr-shop', 'scr-shop']);
    expect(asked).toEqual(['/internal/metrics', '/internal/metrics']);
    const points = await readMetricPoints(db.sql, { appId: shop.id, since: new Date(now.getTime() - 60_000) });
    const onePass = [
      ['orders_total', 'sum', 12, { country: 'fr', 'service.instance.id': 'scr-shop-web-1', 'devflow.process.type': 'web', 'service.version': 'v5' }],
      ['queue_depth', 'gauge', 3, { 'service.instance.id': 'scr-shop-web-1', 'devflow.process.type': 'web', 'service.version': 'v5' }],
    ];
    expect(points.map((p) => [p.name, p.kind, p.value, p.attributes])).toEqual([...onePass, ...onePass]); // one scrape per pass
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^metrics scrape: scr-shop scr-shop-web-2 \/internal\/metrics: /);
    expect(await readMetricPoints(db.sql, { appId: off.id, since: new Date(0) })).toEqual([]);
  });
});
