/** The sample trace of an error group, on the real PostgreSQL's span store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import type { StoredSpan } from '../traces/span.js';
import { SpanStore } from '../traces/store.js';
import { sampleTraceNear } from './sample-trace.js';

let db: TestDatabase;
let shop: number;
let other: number;
const at = new Date();

function span(appId: number, traceId: string, secondsBefore: number, fields: Partial<StoredSpan> = {}): StoredSpan {
  return {
    appId, traceId: traceId.padEnd(32, '0'), spanId: traceId.padEnd(16, '1'), parentSpanId: null, entry: true, name: 'GET /boom', kind: 2,
    service: 'devflow-router', startUs: (at.getTime() - secondsBefore * 1000) * 1000, durationUs: 1000, statusCode: 2, httpStatus: 500,
    route: null, release: null, attributes: {}, events: null, resource: null, ...fields,
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  shop = (await createApp(db.sql, parseAppName('shop'))).id;
  other = (await createApp(db.sql, parseAppName('other'))).id;
  await new SpanStore(db.sql, 7).write([
    span(shop, 'a', 60),
    span(shop, 'b', 600), // failed, but ten minutes before
    span(shop, 'c', 5, { statusCode: 0, httpStatus: 200 }), // closer, but it succeeded
    span(shop, 'd', 2, { entry: false }), // an app's inner span, not a request
    span(other, 'e', 1), // another app's request
  ]);
});
afterAll(async () => {
  await db?.drop();
});

describe('sampleTraceNear', () => {
  it("is the app's failed request closest before the exception, within five minutes", async () => {
    expect(await sampleTraceNear(db.sql, shop, at)).toBe('a'.padEnd(32, '0'));
  });

  it('is none when no failed request was traced in the window', async () => {
    expect(await sampleTraceNear(db.sql, shop, new Date(at.getTime() - 3_600_000))).toBeNull();
  });
});
