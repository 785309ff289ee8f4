import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { parseAppName } from '../names.js';
import { createApp } from './apps.js';
import { appendRuntimeLogs, pruneRuntimeLogs, readPositions, readRuntimeLogs } from './runtime-logs.js';

let db: TestDatabase;
let appId: number;
beforeAll(async () => {
  db = await createTestDatabase();
  appId = (await createApp(db.sql, parseAppName('logs-a'))).id;
});
afterAll(async () => db.drop());

const line = (text: string, at = new Date()) => ({ appId, instance: 'logs-a-web-v1-1-abcd', processType: 'web', release: 1, line: text, at });

describe('runtime logs', () => {
  it('appends lines with the read position, and reads the newest oldest-first, by process, after an id', async () => {
    await appendRuntimeLogs(db.sql, 'logs-a-web-v1-1-abcd', ['one', 'two', 'three'].map((t) => line(t)), '42');
    await appendRuntimeLogs(db.sql, 'logs-a-worker-v1-1-ef01', [{ ...line('job'), instance: 'logs-a-worker-v1-1-ef01', processType: 'worker' }], '7');
    expect((await readPositions(db.sql)).get('logs-a-web-v1-1-abcd')).toBe('42');
    const newest = await readRuntimeLogs(db.sql, { appId, limit: 2 });
    expect(newest.map((l) => l.line)).toEqual(['three', 'job']);
    expect((await readRuntimeLogs(db.sql, { appId, limit: 10, processType: 'web' })).map((l) => l.line)).toEqual(['one', 'two', 'three']);
    const after = await readRuntimeLogs(db.sql, { appId, limit: 10, afterId: newest[0]!.id });
    expect(after.map((l) => l.line)).toEqual(['job']);
  });

  it('prunes by age, then the oldest lines beyond the size bound', async () => {
    const old = new Date(Date.now() - 10 * 86_400_000);
    await appendRuntimeLogs(db.sql, 'logs-a-web-v1-1-abcd', [line('ancient', old)], '50');
    await appendRuntimeLogs(db.sql, 'logs-a-web-v1-1-abcd', Array.from({ length: 20 }, (_, i) => line(`x${i}`.padEnd(100, '.'))), '60');
    await pruneRuntimeLogs(db.sql, { maxDays: 7, maxBytes: 10_000 });
    const kept = await readRuntimeLogs(db.sql, { appId, limit: 1000 });
    expect(kept.map((l) => l.line)).not.toContain('ancient');
    // About 200 bytes a line with overhead: the newest lines that fit in 10 kB stay.
    expect(kept.length).toBeGreaterThan(20);
    expect(kept.at(-1)!.line.startsWith('x19')).toBe(true);
    await pruneRuntimeLogs(db.sql, { maxDays: 7, maxBytes: 1_000 });
    const fewer = await readRuntimeLogs(db.sql, { appId, limit: 1000 });
    expect(fewer.length).toBeLessThan(6);
    expect(fewer.at(-1)!.line.startsWith('x19')).toBe(true);
  });
});
