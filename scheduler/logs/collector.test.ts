import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { readRuntimeLogs } from '../../core/store/runtime-logs.js';
import type { Instance } from '../../core/types.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { LogCollector } from './collector.js';
import { normaliseStamp, readLogFile } from '../runtime/log-reads.js';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-logs-'));
});
afterAll(async () => {
  await db.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

const instance: Instance = {
  id: 'col-web-v2-1-abcd', app: parseAppName('col'), release: 2, processType: parseProcessType('web'), upstream: null, state: 'running',
};

function collector() {
  return new LogCollector({
    sql: db.sql,
    // The process runtime's reading of its log files, for an instance it does not need to run.
    runtime: { list: async () => [instance], readLogs: (id, position) => readLogFile(path.join(dir, `${id}.log`), position) },
    limits: { maxBytes: 1 << 20, maxDays: 7 }, log: () => {},
  });
}

describe('LogCollector with the process runtime files', () => {
  it('stores whole lines once, keeps unfinished ones for later, and resumes after a restart', async () => {
    const app = await createApp(db.sql, parseAppName('col'));
    const file = path.join(dir, `${instance.id}.log`);
    await fs.writeFile(file, 'listening on 5000\nGET / 200\nhalf a li');
    const first = collector();
    await first.pass();
    await first.pass();
    let lines = await readRuntimeLogs(db.sql, { appId: app.id, limit: 100 });
    expect(lines.map((l) => l.line)).toEqual(['listening on 5000', 'GET / 200']);
    expect(lines[0]).toMatchObject({ instance: instance.id, processType: 'web', release: 2 });

    await fs.appendFile(file, 'ne\nGET /health 200\n');
    // A new collector (a restarted DevFlow) reads its position from the store.
    await collector().pass();
    lines = await readRuntimeLogs(db.sql, { appId: app.id, limit: 100 });
    expect(lines.map((l) => l.line)).toEqual(['listening on 5000', 'GET / 200', 'half a line', 'GET /health 200']);
  });

  it('starts again from the top of a file that was truncated', async () => {
    const file = path.join(dir, `${instance.id}.log`);
    await fs.writeFile(file, 'fresh start\n');
    await collector().pass();
    const lines = await readRuntimeLogs(db.sql, { appId: (await db.sql`SELECT id FROM apps WHERE name = 'col'`)[0]!.id as number, limit: 1 });
    expect(lines[0]!.line).toBe('fresh start');
  });
});

describe('normaliseStamp', () => {
  it.each([
    ['2024-05-01T12:00:00.1Z', '2024-05-01T12:00:00.100000000Z'],
    ['2024-05-01T12:00:00.123456789Z', '2024-05-01T12:00:00.123456789Z'],
    ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000000000Z'],
    ['garbage', undefined],
  ])('%s → %s', (input, expected) => expect(normaliseStamp(input)).toBe(expected));
});
