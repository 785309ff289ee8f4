/**
 * The telemetry routes (issue 18) over HTTP on the real PostgreSQL, and the CLI commands that
 * read them (run in this process against that API, their printed output checked).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApiToken } from '../../core/store/api-tokens.js';
import { createApp } from '../../core/store/apps.js';
import { parseSecretKey } from '../../core/secrets.js';
import { TelemetrySettings } from '../../telemetry/settings-store.js';
import { recordException } from '../../telemetry/index.js';
import { listErrors } from '../../cli/commands/errors.js';
import { addAlert, listAlerts, removeAlert } from '../../cli/commands/alerts.js';
import { showMetrics } from '../../cli/commands/metrics.js';
import { addMetricRows } from '../../telemetry/metrics/store.js';
import { CheckedApi } from '../../tests/support/api-client.js';
import { startInProcessApi, type InProcessApi } from '../../tests/support/in-process-api.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';

let db: TestDatabase;
let server: InProcessApi;
let api: CheckedApi;
const env = { ...process.env };
let appId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startInProcessApi(db.sql);
  api = new CheckedApi(server.base, server.readToken);
  appId = (await createApp(db.sql, parseAppName('tel'))).id;
  process.env.DEVFLOW_API = server.base;
  process.env.DEVFLOW_TOKEN = server.adminToken;
});
afterAll(async () => {
  process.env = env;
  await server?.close();
  await db?.drop();
});

/** What a CLI command prints. */
async function printed(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

describe('errors', () => {
  it('lists the groups over the API and in `devflow errors`', async () => {
    const stack = 'TypeError: no cart\n    at checkout (/app/cart.js:3:9)\n    at handle (/app/router.js:10:2)';
    for (const [release, at] of [[3, '2026-12-05T10:00:00Z'], [4, '2026-12-05T11:00:00Z']] as const) {
      await recordException(db.sql, { app: 'tel', release, type: 'TypeError', message: 'no cart', stack, at: new Date(at) });
    }
    const res = await api.call<Array<Record<string, unknown>>>('GET', '/apps/tel/errors');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({
      type: 'TypeError', message: 'no cart', count: 2, firstSeen: '2026-12-05T10:00:00.000Z', lastSeen: '2026-12-05T11:00:00.000Z',
      firstRelease: 3, lastRelease: 4, sampleStack: stack,
    })]);
    expect((await api.call<unknown[]>('GET', '/apps/tel/errors?since=1h')).body).toEqual([]);
    expect(await printed(() => listErrors({ app: 'tel', args: [], opts: {} }))).toBe([
      'TypeError: no cart',
      '  2×  first 2026-12-05T10:00:00.000Z  last 2026-12-05T11:00:00.000Z  v3..v4',
      '    at checkout (/app/cart.js:3:9)',
      '    at handle (/app/router.js:10:2)',
    ].join('\n'));
    expect(JSON.parse(await printed(() => listErrors({ app: 'tel', args: [], opts: { json: true } })))).toHaveLength(1);
    expect(api.problems).toEqual([]);
  });

  it('gives an exception sent as a span event its own trace as the sample, where a stderr stack has none traced near it', async () => {
    await createApp(db.sql, parseAppName('tel-otel'));
    const traceId = 'cd'.repeat(16);
    const at = new Date('2026-12-05T12:00:00Z');
    await recordException(db.sql, { app: 'tel-otel', release: 2, type: 'CartError', message: 'empty', stack: 'CartError: empty\n    at checkout (/app/cart.js:1:1)', at, traceId });
    await recordException(db.sql, { app: 'tel-otel', release: 2, type: 'RangeError', message: 'far', stack: 'RangeError: far\n    at page (/app/list.js:1:1)', at });
    const res = await api.call<Array<Record<string, unknown>>>('GET', '/apps/tel-otel/errors');
    expect(res.body.map((g) => [g.type, g.sampleTraceId])).toEqual([['RangeError', null], ['CartError', traceId]]);
    expect(api.problems).toEqual([]);
  });
});

describe('alerts', () => {
  it('adds, lists and removes rules; a read token may list but not add; bad conditions say where', async () => {
    const refused = await api.call<{ error: { code: string } }>('POST', '/apps/tel/alerts', { body: { if: 'crash_loop', notify: 'https://hooks.slack.com/services/T0/B0/secret' } });
    expect(refused.status).toBe(403);
    expect(await printed(() => addAlert({ app: 'tel', args: [], opts: { if: '5xx_rate>5% for 5m', notify: 'https://hooks.slack.com/services/T0/B0/secret' } })))
      .toMatch(/^added alert \d+ on tel: 5xx_rate > 5% for 5m → https:\/\/hooks\.slack\.com\/…$/);
    const bad = await api.call<{ error: { message: string } }>('POST', '/apps/tel/alerts', { token: server.adminToken, body: { if: '5xx_rate > 5 for 5m', notify: 'mailto:ops@example.com' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('alert condition: 5xx_rate is measured in %; write e.g. "5%" (at column 13)');
    const listed = await api.call<{ rules: Array<{ id: number; if: string; notify: string; status: string }> }>('GET', '/apps/tel/alerts');
    expect(listed.body.rules).toEqual([expect.objectContaining({ if: '5xx_rate > 5% for 5m', notify: 'https://hooks.slack.com/…', status: 'ok' })]);
    expect(await printed(() => listAlerts({ app: 'tel', args: [], opts: {} }))).toContain('5xx_rate > 5% for 5m');
    const id = String(listed.body.rules[0]!.id);
    expect(await printed(() => removeAlert({ app: 'tel', args: [id], opts: {} }))).toBe(`removed alert ${id} from tel`);
    expect((await api.call<{ rules: unknown[] }>('GET', '/apps/tel/alerts')).body.rules).toEqual([]);
    expect(api.problems).toEqual([]);
  });
});

describe('metrics', () => {
  it('summarises the minute rows of the range per process type, over the API and in `devflow metrics`', async () => {
    const minuteAgo = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    const status = { '1xx': 0, '2xx': 95, '3xx': 0, '4xx': 0, '5xx': 5 };
    // Router buckets (seconds): 0.001 … 10; all 100 requests took at most 25 ms, half at most 5 ms.
    const buckets = [0, 0, 50, 50, 100, 100, 100, 100, 100, 100, 100, 100, 100];
    await addMetricRows(db.sql, [{ appId, processType: 'web', resolution: '1m', at: minuteAgo, requests: 100, status, latencyBuckets: buckets, latencySum: 1, cpuPercent: null, memoryMb: null, instances: null, restarts: 2 }]);
    const res = await api.call<{ resolution: string; processes: Array<{ processType: string; summary: Record<string, unknown> }> }>('GET', '/apps/tel/metrics?since=1h');
    expect(res.body.resolution).toBe('1m');
    expect(res.body.processes).toEqual([expect.objectContaining({ processType: 'web', summary: expect.objectContaining({ requests: 100, rate5xx: 5, p50Ms: 5, restarts: 2 }) })]);
    const text = await printed(() => showMetrics({ app: 'tel', args: [], opts: { since: '1h' } }));
    expect(text.split('\n')[1]).toBe('web: 100 requests (1.7/min), p50 5ms, p95 24ms, p99 25ms, 5xx 5.0%');
    expect(text.split('\n')[2]).toBe('  status 1xx 0, 2xx 95, 3xx 0, 4xx 0, 5xx 5; 2 restarts');
    // The app's database figures (sampled by telemetry/metrics/database.ts; written here as a sample would be).
    await db.sql`INSERT INTO app_database_metrics (app_id, resolution, at, connections, size_bytes, cache_hit_ratio) VALUES (${appId}, '1m', ${minuteAgo}, 3, 7864320, 0.9912)`;
    const withDb = await api.call<{ database: unknown[] }>('GET', '/apps/tel/metrics?since=1h');
    expect(withDb.body.database).toEqual([{ at: minuteAgo.toISOString(), connections: 3, sizeBytes: 7864320, cacheHitRatio: 0.9912 }]);
    expect((await printed(() => showMetrics({ app: 'tel', args: [], opts: { since: '1h' } }))).split('\n').at(-1))
      .toBe(`database: 3 connections, 7.5 MB, cache hit 99.1% (at ${minuteAgo.toISOString()})`);
    expect(api.problems).toEqual([]);
  });
});

describe('who may read and who may configure', () => {
  it('a read token reads the errors, alerts and metrics, and may neither remove a rule nor change telemetry', async () => {
    const added = await api.call<{ id: number }>('POST', '/apps/tel/alerts', { token: server.adminToken, body: { if: 'crash_loop', notify: 'mailto:ops@example.com' } });
    expect(added.status).toBe(201);
    for (const path of ['/apps/tel/errors', '/apps/tel/alerts', '/apps/tel/metrics?since=1h']) expect((await api.call('GET', path)).status).toBe(200);
    const removal = await api.call<{ error: { code: string } }>('DELETE', `/apps/tel/alerts/${added.body.id}`);
    expect(removal.status).toBe(403);
    expect((await api.call('POST', '/apps/tel/telemetry', { body: { sample: 1 } })).status).toBe(403);
    expect((await api.call('DELETE', '/apps/tel/telemetry')).status).toBe(403);
    // The rule is still there: the refusals changed nothing.
    expect((await api.call<{ rules: Array<{ id: number }> }>('GET', '/apps/tel/alerts')).body.rules.map((r) => r.id)).toEqual([added.body.id]);
    expect((await api.call('DELETE', `/apps/tel/alerts/${added.body.id}`, { token: server.adminToken })).status).toBe(200);
  });

  it("a token limited to another app reads none of this app's telemetry, and an ingest token is no API token", async () => {
    const other = await createApp(db.sql, parseAppName('tel-other'));
    const limited = await createApiToken(db.sql, { name: 'other-only', scope: 'admin', expiresInMs: null, owner: { personId: null, teamId: null, appIds: [other.id] } });
    for (const path of ['/apps/tel/errors', '/apps/tel/alerts', '/apps/tel/metrics?since=1h', '/apps/tel/logs?query=error']) {
      expect([403, 404], path).toContain((await api.call('GET', path, { token: limited.secret })).status);
    }
    expect((await api.call('GET', '/apps/tel-other/errors', { token: limited.secret })).status).toBe(200);
    const ingest = (await new TelemetrySettings(db.sql, parseSecretKey('22'.repeat(32))).enable(appId)).app.ingestToken;
    for (const path of ['/apps/tel/errors', '/apps/tel/metrics?since=1h']) expect((await api.call('GET', path, { token: ingest })).status).toBe(401);
  });
});
