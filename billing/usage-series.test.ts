/**
 * The usage series (issue 20's chart) on the real PostgreSQL: ledger rows of a past month, and
 * the days and hours they fall in; a team's series sums its apps; the buckets (pure) stop at now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam } from '../accounts/index.js';
import { parseAppName } from '../core/names.js';
import { createApp, type AppRecord } from '../core/store/apps.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { parseMonth } from './months.js';
import { bucketStarts, parseUsageStep, usageSeries } from './usage-series.js';

describe('bucketStarts', () => {
  const nov = parseMonth('2026-11');
  it.each([
    ['a past month by day', 'day', '2027-01-05T00:00:00Z', 30, '2026-11-30T00:00:00.000Z'],
    ['a past month by hour', 'hour', '2027-01-05T00:00:00Z', 720, '2026-11-30T23:00:00.000Z'],
    ['this month by day, up to today', 'day', '2026-11-03T10:00:00Z', 3, '2026-11-03T00:00:00.000Z'],
    ['this month by hour, up to this hour', 'hour', '2026-11-01T02:30:00Z', 3, '2026-11-01T02:00:00.000Z'],
    ['a month to come', 'day', '2026-10-20T00:00:00Z', 0, undefined],
  ] as const)('%s', (_name, step, now, count, last) => {
    const starts = bucketStarts(nov, step, new Date(now));
    expect(starts).toHaveLength(count);
    expect(starts.at(-1)?.toISOString()).toBe(last);
  });
  it('reads the step, and says which ones there are', () => {
    expect(parseUsageStep(undefined)).toBe('day');
    expect(parseUsageStep('hour')).toBe('hour');
    expect(() => parseUsageStep('week')).toThrow('step "week" is unknown: use day or hour');
  });
});

describe('usageSeries on the ledger', () => {
  let db: TestDatabase;
  let shop: AppRecord;
  let blog: AppRecord;
  const nov = parseMonth('2026-11');

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true });
    const team = await createTeam(db.sql, 'acme', null);
    shop = await createApp(db.sql, parseAppName('shop'));
    blog = await createApp(db.sql, parseAppName('blog'));
    await db.sql`UPDATE apps SET team_id = ${team.id} WHERE id IN (${shop.id}, ${blog.id})`;
    const interval = (app: AppRecord, id: string, oneOff: boolean, from: string, to: string) => db.sql`
      INSERT INTO usage_instances (instance_id, app_id, app, team_id, process_type, one_off, size, runtime, started_at, stopped_at, last_seen_at)
      VALUES (${id}, ${app.id}, ${app.name}, ${team.id}, 'web', ${oneOff}, 'eco', 'process', ${from}, ${to}, ${to})`;
    // shop: 22:00 on the 1st to 02:00 on the 2nd (2 h each day); a 30-minute run on the 2nd.
    await interval(shop, 'i1', false, '2026-11-01T22:00:00Z', '2026-11-02T02:00:00Z');
    await interval(shop, 'r1', true, '2026-11-02T05:00:00Z', '2026-11-02T05:30:00Z');
    // blog: 6 h on the 2nd; a 90-minute build of blog on the 2nd, one of shop (3 min) on the 3rd.
    await interval(blog, 'i2', false, '2026-11-02T06:00:00Z', '2026-11-02T12:00:00Z');
    for (const [app, at, ms] of [[blog, '2026-11-02T06:00:00Z', 90 * 60_000], [shop, '2026-11-03T09:00:00Z', 180_000]] as const) {
      const [d] = await db.sql<Array<{ id: number }>>`
        INSERT INTO deployments (app_id, ref, sha, state, trigger) VALUES (${app.id}, 'refs/heads/main', ${'a'.repeat(40)}, 'succeeded', 'push') RETURNING id`;
      await db.sql`INSERT INTO deployment_phases (deployment_id, phase, started_at, duration_ms) VALUES (${d!.id}, 'build', ${at}, ${ms})`;
    }
    await db.sql`INSERT INTO usage_traffic (app_id, app, team_id, hour, requests, egress_bytes) VALUES
      (${shop.id}, 'shop', ${team.id}, '2026-11-01T10:00:00Z', 100, 5000), (${shop.id}, 'shop', ${team.id}, '2026-11-01T11:00:00Z', 50, 1000),
      (${blog.id}, 'blog', ${team.id}, '2026-11-01T11:00:00Z', 7, 70)`;
    await db.sql`INSERT INTO usage_sizes (app_id, app, team_id, hour, database_bytes, storage_bytes) VALUES
      (${shop.id}, 'shop', ${team.id}, '2026-11-02T01:00:00Z', 1000, 10), (${shop.id}, 'shop', ${team.id}, '2026-11-02T02:00:00Z', 3000, 5),
      (${blog.id}, 'blog', ${team.id}, '2026-11-02T02:00:00Z', 500, null)`;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("cuts an app's intervals at each day's edges, and puts its traffic, builds and sizes in their days", async () => {
    const series = await usageSeries(db.sql, { app: shop.id }, nov, 'day', new Date('2027-01-01T00:00:00Z'));
    expect(series).toMatchObject({ month: '2026-11', step: 'day' });
    expect(series.points).toHaveLength(30);
    expect(series.points.slice(0, 3)).toEqual([
      { at: '2026-11-01T00:00:00.000Z', instanceHours: 2, oneOffHours: 0, buildMinutes: 0, requests: 150, egressBytes: 6000, databaseBytes: null, storageBytes: null },
      { at: '2026-11-02T00:00:00.000Z', instanceHours: 2, oneOffHours: 0.5, buildMinutes: 0, requests: 0, egressBytes: 0, databaseBytes: 3000, storageBytes: 10 },
      { at: '2026-11-03T00:00:00.000Z', instanceHours: 0, oneOffHours: 0, buildMinutes: 3, requests: 0, egressBytes: 0, databaseBytes: null, storageBytes: null },
    ]);
  });

  it("sums a team's apps (sizes: each app's largest in the bucket), by hour too", async () => {
    const days = await usageSeries(db.sql, { team: (await db.sql<Array<{ id: number }>>`SELECT id FROM teams WHERE name = 'acme'`)[0]!.id }, nov, 'day', new Date('2027-01-01T00:00:00Z'));
    expect(days.points[1]).toEqual({
      at: '2026-11-02T00:00:00.000Z', instanceHours: 8, oneOffHours: 0.5, buildMinutes: 90, requests: 0, egressBytes: 0, databaseBytes: 3500, storageBytes: 10,
    });
    expect(days.points[0]).toMatchObject({ requests: 157, egressBytes: 6070 });
    const hours = await usageSeries(db.sql, { app: shop.id }, nov, 'hour', new Date('2026-11-02T03:10:00Z'));
    expect(hours.points).toHaveLength(24 + 4);
    expect(hours.points.filter((p) => p.instanceHours > 0).map((p) => [p.at.slice(8, 13), p.instanceHours]))
      .toEqual([['01T22', 1], ['01T23', 1], ['02T00', 1], ['02T01', 1]]);
    expect(hours.points.find((p) => p.at === '2026-11-02T01:00:00.000Z')).toMatchObject({ databaseBytes: 1000, storageBytes: 10 });
  });
});
