/** The span store on the test run's real PostgreSQL: daily partitions made on write, dropped whole past the retention. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../core/store/apps.js';
import type { AppName } from '../../core/names.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import type { StoredSpan } from './span.js';
import { SpanStore } from './store.js';

const DAY = 86_400_000;

function span(appId: number, traceId: string, startMs: number, durationUs: number): StoredSpan {
  return {
    appId, traceId, spanId: traceId.slice(0, 16), parentSpanId: null, entry: true, name: 'GET /', kind: 2, service: 'devflow-router',
    startUs: startMs * 1000 + 123, durationUs, statusCode: 0, httpStatus: 200, route: '/', release: 'v1', attributes: {}, events: null, resource: null,
  };
}

describe('SpanStore', () => {
  let db: TestDatabase;
  let appId: number;
  let now = Date.parse('2026-12-05T12:00:00Z');

  beforeAll(async () => {
    db = await createTestDatabase();
    appId = (await createApp(db.sql, 'shop' as AppName)).id;
  });

  afterAll(async () => {
    await db.drop();
  });

  const partitions = async () => (await db.sql<Array<{ name: string }>>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'spans' ORDER BY 1`).map((r) => r.name);

  it('writes into one partition per day, keeps microseconds, lists slowest first, and drops old days whole', async () => {
    const store = new SpanStore(db.sql, 2, () => now);
    const old = 'a'.repeat(32);
    const fresh = 'b'.repeat(32);
    const slow = 'c'.repeat(32);
    const written = await store.write([span(appId, old, now - DAY, 1000), span(appId, fresh, now, 2000), span(appId, slow, now - 1, 9000), span(appId, 'd'.repeat(32), now - 3 * DAY, 1)]);
    expect(written).toBe(3); // the one past the retention is not written
    expect(await partitions()).toEqual(['spans_p20261204', 'spans_p20261205']);
    expect((await store.trace(appId, fresh))[0]!.startUs).toBe(now * 1000 + 123);
    const slowest = await store.listTraces(appId, { sinceMs: now - 2 * DAY, slowest: true, limit: 10 });
    expect(slowest.map((t) => t.traceId)).toEqual([slow, fresh, old]);

    expect(await store.dropExpired()).toEqual([]);
    now += DAY; // the 6th: with two days, the 5th and the 6th are kept
    expect(await store.dropExpired()).toEqual(['spans_p20261204']);
    expect(await partitions()).toEqual(['spans_p20261205']);
    expect(await store.trace(appId, old)).toEqual([]);
    expect(await store.trace(appId, fresh)).toHaveLength(1);
  });
});
