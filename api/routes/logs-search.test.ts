import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { appendRuntimeLogs } from '../../core/store/runtime-logs.js';
import { CheckedApi } from '../../tests/support/api-client.js';
import { startInProcessApi, type InProcessApi } from '../../tests/support/in-process-api.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';

let db: TestDatabase;
let server: InProcessApi;
let api: CheckedApi;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startInProcessApi(db.sql);
  api = new CheckedApi(server.base, server.readToken);
  const app = await createApp(db.sql, parseAppName('shop'));
  const now = Date.now();
  const line = (text: string, minutesAgo: number) => ({ appId: app.id, instance: 'shop-web-v3-1-ab12', processType: 'web', release: 3, line: text, at: new Date(now - minutesAgo * 60_000) });
  await appendRuntimeLogs(db.sql, 'shop-web-v3-1-ab12', [
    line(JSON.stringify({ level: 'error', status: 503, msg: 'upstream timeout' }), 300),
    line(JSON.stringify({ level: 'error', status: 502, msg: 'upstream timeout' }), 30),
    line(JSON.stringify({ level: 'error', status: 404, msg: 'timeout? no, not found' }), 20),
    line('plain timeout text', 10),
  ], '1');
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('GET /apps/{app}/logs with a search', () => {
  it('finds JSON lines by field, comparison and phrase within --since, as text and JSON', async () => {
    const query = encodeURIComponent('level:error status>=500 "timeout"');
    const text = await api.call('GET', `/apps/shop/logs?query=${query}&since=2h`);
    expect(text.status).toBe(200);
    expect(text.text.trim().split('\n')).toEqual([expect.stringMatching(/ web\.1\[shop-web-v3-1-ab12\]: \{"level":"error","status":502,"msg":"upstream timeout"\}$/)]);
    const json = await api.call<Array<{ line: string; fields: unknown }>>('GET', `/apps/shop/logs?format=json&query=${query}`);
    expect(json.body.map((l) => l.fields)).toEqual([
      { level: 'error', status: 503, msg: 'upstream timeout' },
      { level: 'error', status: 502, msg: 'upstream timeout' },
    ]);
    const until = await api.call<Array<{ line: string }>>('GET', `/apps/shop/logs?format=json&query=timeout&since=1h&until=15m`);
    expect(until.body.map((l) => JSON.parse(l.line).status)).toEqual([502, 404]);
    expect(api.problems).toEqual([]);
  });

  it('answers a bad query or time with 400 and a message that says where', async () => {
    const bad = await api.call<{ error: { code: string; message: string } }>('GET', `/apps/shop/logs?query=${encodeURIComponent('level:error status>=')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({ code: 'invalid_input', message: 'query: expected a value after "status>=" (at column 21)' });
    const since = await api.call<{ error: { message: string } }>('GET', '/apps/shop/logs?since=yesterday');
    expect(since.status).toBe(400);
    expect(since.body.error.message).toMatch(/^since "yesterday" is neither a duration/);
    expect(api.problems).toEqual([]);
  });
});
