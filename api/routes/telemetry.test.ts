/**
 * The telemetry routes (issue 18) over HTTP on the real PostgreSQL, and the CLI commands that
 * read them (run in this process against that API, their printed output checked).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { recordException } from '../../telemetry/index.js';
import { listErrors } from '../../cli/commands/errors.js';
import { CheckedApi } from '../../tests/support/api-client.js';
import { startInProcessApi, type InProcessApi } from '../../tests/support/in-process-api.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';

let db: TestDatabase;
let server: InProcessApi;
let api: CheckedApi;
const env = { ...process.env };

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startInProcessApi(db.sql);
  api = new CheckedApi(server.base, server.readToken);
  await createApp(db.sql, parseAppName('tel'));
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
});
