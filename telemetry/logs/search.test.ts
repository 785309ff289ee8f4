import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { appendRuntimeLogs } from '../../core/store/runtime-logs.js';
import { LogQueryError } from './query-parser.js';
import { buildLogSearch, searchLogs } from './search.js';

let db: TestDatabase;
let appId: number;
let otherAppId: number;
const base = new Date('2026-12-05T10:00:00Z');
const minutes = (n: number) => new Date(base.getTime() + n * 60_000);

const LINES: Array<[number, string, string?]> = [
  [0, 'server listening on 5000'],
  [1, JSON.stringify({ level: 'info', msg: 'GET /cart', status: 200, duration_ms: 12, req: { method: 'GET' } })],
  [2, JSON.stringify({ level: 'error', msg: 'upstream timeout', status: 504, duration_ms: 5000, req: { method: 'POST' } })],
  [3, JSON.stringify({ level: 'error', msg: 'bad input', status: '400', duration_ms: 3 })],
  [4, JSON.stringify({ level: 'warn', msg: 'slow query', duration_ms: 250, user: 'ada' })],
  [5, 'Error: connection refused at 10.0.0.1:5432'],
  [6, '{"broken json', 'worker'],
  [7, JSON.stringify({ level: 'debug', msg: '100% done_ok', status: 'n/a' })],
];

beforeAll(async () => {
  db = await createTestDatabase();
  appId = (await createApp(db.sql, parseAppName('search-a'))).id;
  otherAppId = (await createApp(db.sql, parseAppName('search-b'))).id;
  const rows = LINES.map(([m, line, type]) => ({ appId, instance: `search-a-${type ?? 'web'}-v2-1-ab12`, processType: type ?? 'web', release: m < 4 ? 1 : 2, line, at: minutes(m) }));
  await appendRuntimeLogs(db.sql, 'search-a-web-v2-1-ab12', rows, '1');
  await appendRuntimeLogs(db.sql, 'search-b-web-v1-1-cd34', [{ appId: otherAppId, instance: 'search-b-web-v1-1-cd34', processType: 'web', release: 1, line: 'upstream timeout', at: minutes(2) }], '1');
});
afterAll(async () => db.drop());

const find = async (query: string, extra: Partial<Parameters<typeof searchLogs>[1]> = {}) =>
  (await searchLogs(db.sql, { appId, query, limit: 100, ...extra })).map((l) => LINES.findIndex(([, line]) => line === l.line));

describe('searchLogs on the real PostgreSQL', () => {
  it.each<[string, number[]]>([
    ['', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['timeout', [2]],
    ['TIMEOUT', [2]],
    ['"connection refused"', [5]],
    ['"refused connection"', []],
    ['level:error', [2, 3]],
    ['level:error status>=500 "timeout"', [2]],
    ['status:400', [3]],
    ['status>=400', [2]],
    ['status<500', [1]],
    ['duration_ms>200', [2, 4]],
    ['req.method:POST', [2]],
    ['user:*', [4]],
    ['-level:error', [0, 1, 4, 5, 6, 7]],
    ['level:error OR level:warn', [2, 3, 4]],
    ['(level:warn OR timeout) -slow', [2]],
    ['"100%"', [7]],
    ['"done_ok"', [7]],
    ['"g_o"', []], // "listening on" would match if _ were LIKE's wildcard
    ['process:worker', [6]],
    ['release:2 level:*', [4, 7]],
    ['release>=2', [4, 5, 6, 7]],
    ['broken', [6]],
  ])('%j', async (query, expected) => {
    expect(await find(query)).toEqual(expected);
  });

  it('keeps to the time range, the process type, the limit and the lines after an id', async () => {
    expect(await find('', { since: minutes(2), until: minutes(5) })).toEqual([2, 3, 4]);
    expect(await find('level:*', { processType: 'web', limit: 2 })).toEqual([4, 7]);
    const [first] = await searchLogs(db.sql, { appId, limit: 100, until: minutes(1) });
    expect(await find('level:error', { afterId: first!.id })).toEqual([2, 3]);
  });

  it('returns the fields of JSON lines, null for plain text, and never another app\'s lines', async () => {
    const found = await searchLogs(db.sql, { appId, query: 'timeout OR connection', limit: 10 });
    expect(found.map((l) => l.fields)).toEqual([
      { level: 'error', msg: 'upstream timeout', status: 504, duration_ms: 5000, req: { method: 'POST' } },
      null,
    ]);
  });

  it('refuses a bad query before touching the database, naming the column', () => {
    expect(() => buildLogSearch({ appId, query: 'level:error status>=', limit: 10 })).toThrow(LogQueryError);
    expect(() => buildLogSearch({ appId, query: 'level:error status>=', limit: 10 })).toThrow('query: expected a value after "status>=" (at column 21)');
  });
});
