/**
 * Usage sources beyond instance time (issue 20), on the real router, the real PostgreSQL and
 * the real API: requests and egress bytes the embedded router served, flushed per hour into
 * the ledger; database and storage bytes sampled from an app's own database; a team's usage as
 * the sum of its apps', destroyed apps included, over GET /teams/{team}/usage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, moveAppToTeam } from '../accounts/index.js';
import { startTestApi, type TestApi } from '../api/test-api.js';
import { provisionProject } from '../backend/provision.js';
import { parseAppName } from '../core/names.js';
import { parseSecretKey } from '../core/secrets.js';
import { AppDatabases } from '../core/store/app-databases.js';
import { createApp, deleteApp, type AppRecord } from '../core/store/apps.js';
import { connect } from '../core/store/database.js';
import { send, startProxy, startUpstream, type TestServer } from '../router/fixtures.js';
import { ProxyMetrics } from '../router/metrics.js';
import type { EmbeddedProxy } from '../router/proxy.js';
import { buildRoutingTable } from '../router/table.js';
import { openInterval, closeInterval } from './ledger.js';
import { monthOf } from './months.js';
import { databaseUrlOn, sampleSizes, storeSizes } from './size-sampler.js';
import { hourOf, TrafficMeter, trafficSince, type TrafficCounts } from './traffic-meter.js';
import { appUsage, teamUsage } from './usage.js';

describe('traffic since the last copy', () => {
  const counts = (entries: Array<[string, number, number]>): TrafficCounts => new Map(entries.map(([app, count, bytes]) => [app, { count, bytes }]));
  it.each([
    ['new app', counts([]), counts([['a', 3, 30]]), [['a', { requests: 3, egressBytes: 30 }]]],
    ['grown', counts([['a', 3, 30]]), counts([['a', 5, 70]]), [['a', { requests: 2, egressBytes: 40 }]]],
    ['unchanged is left out', counts([['a', 3, 30]]), counts([['a', 3, 30]]), []],
    ['went down: a restarted router counts from zero', counts([['a', 9, 900]]), counts([['a', 2, 20]]), [['a', { requests: 2, egressBytes: 20 }]]],
  ])('%s', (_name, before, after, expected) => {
    expect([...trafficSince(before, after)]).toEqual(expected);
  });
  it('cuts times to their hour', () => {
    expect(hourOf(new Date('2026-12-05T15:59:59.999Z')).toISOString()).toBe('2026-12-05T15:00:00.000Z');
  });
});

describe('usage sources', () => {
  let api: TestApi;
  let shop: AppRecord;
  let blog: AppRecord;
  let acme: { id: number; name: string };
  const logged: string[] = [];
  const log = (line: string) => void logged.push(line);

  beforeAll(async () => {
    api = await startTestApi();
    acme = await createTeam(api.db.sql, 'acme', null);
    shop = await createApp(api.db.sql, parseAppName('shop'));
    blog = await createApp(api.db.sql, parseAppName('blog'));
    for (const app of [shop, blog]) await moveAppToTeam(api.db.sql, app.id, acme.id);
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('router traffic', () => {
    let upstream: TestServer;
    let proxy: EmbeddedProxy;
    let port: number;
    const metrics = new ProxyMetrics();

    beforeAll(async () => {
      upstream = await startUpstream((req, res) => res.end('x'.repeat(Number(new URL(req.url!, 'http://u').searchParams.get('n')))));
      ({ proxy, port } = await startProxy({ metrics }));
      proxy.setTable(buildRoutingTable({ domain: 'localhost', apps: [{ name: 'shop', upstreams: [upstream.upstream] }, { name: 'blog', upstreams: [upstream.upstream] }] }));
    });
    afterAll(async () => {
      await proxy?.close();
      await upstream?.close();
    });

    it('adds the requests and body bytes the router served to each app hour, and nothing for unknown hosts', async () => {
      const meter = new TrafficMeter({ sql: api.db.sql, traffic: metrics, log });
      for (const n of [100, 2000, 0]) expect((await send(port, 'shop.localhost', { path: `/?n=${n}` })).status).toBe(200);
      expect((await send(port, 'blog.localhost', { path: '/?n=5' })).body).toBe('xxxxx');
      expect((await send(port, 'nobody.localhost')).status).toBe(404);
      await meter.flush();
      expect((await send(port, 'shop.localhost', { path: '/?n=7' })).status).toBe(200);
      await meter.stop(); // a clean stop flushes what was counted since
      const rows = await api.db.sql`SELECT app, requests::int, egress_bytes::int, team_id FROM usage_traffic ORDER BY app`;
      expect(rows.map((r) => ({ ...r }))).toEqual([
        { app: 'blog', requests: 1, egress_bytes: 5, team_id: acme.id },
        { app: 'shop', requests: 4, egress_bytes: 2107, team_id: acme.id },
      ]);
      const usage = await appUsage(api.db.sql, shop, monthOf(new Date()));
      expect([usage.requests, usage.egressBytes]).toEqual([4, 2107]);
      expect(logged).toEqual([]);
    });
  });

  it("samples the app database's size and its backend storage objects' bytes", async () => {
    const databases = new AppDatabases(api.db.sql, parseSecretKey('22'.repeat(32)));
    const credentials = await databases.ensure(shop);
    await provisionProject({ sql: api.db.sql, url: api.db.url }, { database: credentials.database, owner: credentials.role });
    const own = connect(databaseUrlOn(api.db.url, credentials.database), 1);
    try {
      // Objects as the backend's storage records them after an upload (storage/upload.ts): the size in metadata.
      await own`INSERT INTO storage.buckets (id, name) VALUES ('avatars', 'avatars')`;
      await own`INSERT INTO storage.objects (bucket_id, name, metadata) VALUES
        ('avatars', 'a.png', ${own.json({ size: 1500, mimetype: 'image/png' })}), ('avatars', 'b.png', ${own.json({ size: 2500, mimetype: 'image/png' })})`;
    } finally {
      await own.end();
    }
    // Autovacuum may write a new table's free-space and visibility maps at any moment, which grows
    // the database's files, so the sample is checked against a size that held on both sides of it.
    const sizeNow = async () => {
      const [row] = await api.db.sql<Array<{ bytes: number }>>`SELECT pg_database_size(${credentials.database})::float8 AS bytes`;
      return row!.bytes;
    };
    let samples: Awaited<ReturnType<typeof sampleSizes>> = [];
    let bytes = -1;
    for (let attempt = 0; attempt < 10 && bytes < 0; attempt += 1) {
      const before = await sizeNow();
      samples = await sampleSizes({ sql: api.db.sql, serverUrl: api.db.url, log });
      if ((await sizeNow()) === before) bytes = before;
    }
    expect(bytes).toBeGreaterThan(0);
    expect(samples).toEqual([{ appId: shop.id, app: 'shop', teamId: acme.id, databaseBytes: bytes, storageBytes: 4000 }]);
    await storeSizes(api.db.sql, new Date(), samples);
    await storeSizes(api.db.sql, new Date(), [{ ...samples[0]!, storageBytes: 3000 }]); // the same hour: replaced
    const usage = await appUsage(api.db.sql, shop, monthOf(new Date()));
    expect([usage.databaseBytes, usage.storageBytes]).toEqual([bytes, 3000]);
    expect(logged).toEqual([]);
  });

  it("rolls a team's apps up, a destroyed app's use included, over GET /teams/{team}/usage", async () => {
    const gone = await createApp(api.db.sql, parseAppName('gone'));
    await moveAppToTeam(api.db.sql, gone.id, acme.id);
    const other = await createApp(api.db.sql, parseAppName('other')); // the default team's
    for (const app of [shop, gone, other]) {
      await openInterval(api.db.sql, { instanceId: `i-${app.name}`, appId: app.id, app: app.name, processType: 'web', oneOff: false, size: 'eco', memoryMb: undefined, cpus: undefined, runtime: 'process' });
      await closeInterval(api.db.sql, `i-${app.name}`);
      await api.db.sql`UPDATE usage_instances SET started_at = stopped_at - interval '1 hour' WHERE instance_id = ${`i-${app.name}`}`;
    }
    await deleteApp(api.db.sql, parseAppName('gone'));

    const response = await fetch(`${api.base}/api/v1/teams/acme/usage`, { headers: { authorization: `Bearer ${api.adminToken}` } });
    expect(response.status).toBe(200);
    const body = await response.json() as Awaited<ReturnType<typeof teamUsage>>;
    expect(body).toMatchObject({ team: 'acme', month: monthOf(new Date()).month, instanceSeconds: { eco: 7200 }, requests: 5, egressBytes: 2112 });
    expect(body.apps.map((a) => [a.app, a.instanceSeconds.eco ?? 0, a.requests])).toEqual([['blog', 0, 1], ['gone', 3600, 0], ['shop', 3600, 4]]);
    const missing = await fetch(`${api.base}/api/v1/teams/nobody/usage`, { headers: { authorization: `Bearer ${api.adminToken}` } });
    expect(missing.status).toBe(404);
    const badMonth = await fetch(`${api.base}/api/v1/teams/acme/usage?month=2026-13`, { headers: { authorization: `Bearer ${api.adminToken}` } });
    expect([badMonth.status, ((await badMonth.json()) as { error: { message: string } }).error.message]).toEqual([400, '"2026-13" is not a month: write it as YYYY-MM, e.g. 2026-12']);
  });
});
