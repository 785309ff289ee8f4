/**
 * Per-app database metrics on the real PostgreSQL: an app's own database (created as a deploy
 * creates it), used over a connection of its own role, sampled by the metrics sampler, read back
 * as `devflow metrics` and the API read them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { parseSecretKey } from '../../core/secrets.js';
import { AppDatabases, appDatabaseUrl } from '../../core/store/app-databases.js';
import { createApp } from '../../core/store/apps.js';
import { ProxyMetrics } from '../../router/metrics.js';
import { connect } from '../../core/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { readAppMetrics } from './query.js';
import { MetricsSampler } from './sampler.js';

let db: TestDatabase;
let databases: AppDatabases;
beforeAll(async () => {
  db = await createTestDatabase();
  databases = new AppDatabases(db.sql, parseSecretKey('22'.repeat(32)));
});
afterAll(async () => {
  await databases.drop(parseAppName('dbm-shop')).catch(() => {});
  await db.drop();
});

const at = (h: number, m: number, s = 0) => new Date(Date.UTC(2026, 11, 5, h, m, s));

describe('database metrics', () => {
  it('samples connections, size and cache hit ratio of each app\'s own database each minute, and folds them by hour', async () => {
    const shop = await createApp(db.sql, parseAppName('dbm-shop'));
    const none = (await createApp(db.sql, parseAppName('dbm-none'))).id; // never deployed: no database, no rows
    const credentials = await databases.ensure(shop);
    const server = new URL(db.url);
    const app = connect(appDatabaseUrl(credentials, { host: server.hostname, port: Number(server.port) }), 2);
    const sampler = new MetricsSampler({ sql: db.sql, traffic: new ProxyMetrics(), log: (line) => { throw new Error(line); } });
    try {
      // Two connections of the app's role, and some reads so its statistics have blocks.
      await Promise.all([app`CREATE TABLE items (id int PRIMARY KEY, name text)`, app`SELECT 1`]);
      await app`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2000) g`;
      await app`SELECT count(*) FROM items`;
      const [{ size }] = await db.sql<[{ size: string }]>`SELECT pg_database_size(${credentials.database}) AS size`;
      const [{ open }] = await db.sql<[{ open: string }]>`SELECT count(*) AS open FROM pg_stat_activity WHERE datname = ${credentials.database}`;
      await sampler.pass(at(9, 1, 0));
      await app.end({ timeout: 2 });
      // The server ends a closed connection's backend a moment after the client left (a CI run
      // sampled one still there): the second sample is taken once the server shows none.
      for (let tries = 0; tries < 100; tries++) {
        const [{ left }] = await db.sql<[{ left: string }]>`SELECT count(*) AS left FROM pg_stat_activity WHERE datname = ${credentials.database}`;
        if (Number(left) === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await sampler.pass(at(9, 2, 0));

      const view = await readAppMetrics(db.sql, shop.id, at(9, 0), at(9, 30));
      expect(view.database.map((p) => [p.at, p.connections])).toEqual([[at(9, 0), Number(open)], [at(9, 1), 0]]);
      expect(Number(open)).toBeGreaterThanOrEqual(1);
      expect(view.database[0]!.sizeBytes).toBe(Number(size));
      expect(view.database[0]!.cacheHitRatio).toBeGreaterThan(0);
      expect(view.database[0]!.cacheHitRatio).toBeLessThanOrEqual(1);
      expect((await readAppMetrics(db.sql, none, at(9, 0), at(9, 30))).database).toEqual([]);

      await sampler.pass(at(10, 0, 30)); // the hour 09:00 is finished: folded
      const hours = await readAppMetrics(db.sql, shop.id, new Date(at(9, 0).getTime() - 86_400_000), at(12, 0)); // over a day: hour rows
      expect(hours.resolution).toBe('1h');
      expect(hours.database.map((p) => [p.at, p.connections, p.sizeBytes >= Number(size)])).toEqual([[at(9, 0), Number(open) / 3, true]]);
    } finally {
      await app.end({ timeout: 2 });
    }
  });
});
