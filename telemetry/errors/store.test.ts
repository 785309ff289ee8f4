import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { appendRuntimeLogs } from '../../core/store/runtime-logs.js';
import { ErrorScanner } from './scanner.js';
import { listErrorGroups, recordException } from './store.js';

let db: TestDatabase;
let shop: number;
let blog: number;
const t = (s: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, s));
const stack = (dir: string, line: number) => `TypeError: no cart\n    at checkout (${dir}/cart.js:${line}:3)\n    at Layer.handle (${dir}/node_modules/express/lib/router/layer.js:95:5)`;

beforeAll(async () => {
  db = await createTestDatabase();
  shop = (await createApp(db.sql, parseAppName('err-shop'))).id;
  blog = (await createApp(db.sql, parseAppName('err-blog'))).id;
});
afterAll(async () => db.drop());

describe('recordException', () => {
  it('groups by fingerprint: count, first and last seen, first and last release, the latest sample', async () => {
    await recordException(db.sql, { app: 'err-shop', release: 4, type: 'TypeError', message: 'no cart 17', stack: stack('/app', 10), at: t(10) });
    await recordException(db.sql, { app: 'err-shop', release: 5, type: 'TypeError', message: 'no cart 18', stack: stack('/workspace', 12), at: t(20) });
    await recordException(db.sql, { app: 'err-shop', release: 3, type: 'TypeError', message: 'no cart 2', stack: stack('/app', 9), at: t(5) });
    await recordException(db.sql, { app: 'err-shop', release: 5, type: 'RangeError', message: 'too far', stack: 'RangeError: too far\n    at page (/app/list.js:1:1)', at: t(15) });
    await recordException(db.sql, { app: 'no-such-app', release: 1, type: 'Error', message: 'x', stack: 'Error: x', at: t(1) });
    const groups = await listErrorGroups(db.sql, shop);
    expect(groups.map((g) => [g.type, g.message, g.count, g.firstSeen, g.lastSeen, g.firstRelease, g.lastRelease])).toEqual([
      ['TypeError', 'no cart 18', 2 + 1, t(5), t(20), 3, 5],
      ['RangeError', 'too far', 1, t(15), t(15), 5, 5],
    ]);
    expect(groups[0]!.sampleStack).toBe(stack('/workspace', 12));
    expect(await listErrorGroups(db.sql, blog)).toEqual([]);
  });
});

describe('ErrorScanner', () => {
  it('records the exceptions of each instance\'s stored output once, after they settle', async () => {
    const line = (instance: string, text: string, at: Date) => ({ appId: blog, instance, processType: 'web', release: 2, line: text, at });
    const node = ['listening', 'Error: db down', '    at connect (/app/db.js:3:9)', 'Traceback (most recent call last):'];
    // Two instances' lines interleave in the table; each instance's output is read on its own.
    await appendRuntimeLogs(db.sql, 'err-blog-web-v2-1-aa', node.map((text) => line('err-blog-web-v2-1-aa', text, t(30))), '1');
    await appendRuntimeLogs(db.sql, 'err-blog-worker-v2-1-bb', [line('err-blog-worker-v2-1-bb', 'Traceback (most recent call last):', t(31))], '1');
    await appendRuntimeLogs(db.sql, 'err-blog-worker-v2-1-bb', [
      '  File "/app/worker.py", line 4, in run', '    1 / 0', 'ZeroDivisionError: division by zero',
    ].map((text) => line('err-blog-worker-v2-1-bb', text, t(31))), '2');
    await appendRuntimeLogs(db.sql, 'err-blog-web-v2-1-aa', [line('err-blog-web-v2-1-aa', 'Error: later\n', t(50))], '2');
    const scanner = new ErrorScanner({ sql: db.sql, log: () => {}, settleMs: 2000 });
    expect(await scanner.pass(t(40))).toBe(2);
    expect(await scanner.pass(t(40))).toBe(0);
    const groups = await listErrorGroups(db.sql, blog);
    expect(groups.map((g) => [g.type, g.message, g.count, g.firstRelease])).toEqual([
      ['ZeroDivisionError', 'division by zero', 1, 2],
      ['Error', 'db down', 1, 2],
    ]);
    // A new scanner (a restarted DevFlow) carries on from the stored position.
    expect(await new ErrorScanner({ sql: db.sql, log: () => {} }).pass(t(60))).toBe(0);
  });
});
