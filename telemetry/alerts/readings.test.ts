import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { addMetricRows } from '../metrics/store.js';
import { storeReadings } from './readings.js';
import { parseAlertCondition } from './rule-parser.js';

let db: TestDatabase;
let appId: number;
beforeAll(async () => {
  db = await createTestDatabase();
  appId = (await createApp(db.sql, parseAppName('watched'))).id;
});
afterAll(async () => db.drop());

const now = new Date('2026-12-05T12:00:30Z');
const read = (condition: string) => storeReadings(db.sql).read(appId, parseAlertCondition(condition), now);

describe('storeReadings on the real PostgreSQL', () => {
  it('reads deploy_failed from the latest finished deployment', async () => {
    expect(await read('deploy_failed')).toEqual({ kind: 'event', active: false });
    await db.sql`INSERT INTO deployments (app_id, ref, sha, state) VALUES (${appId}, 'main', 'a1', 'succeeded'), (${appId}, 'main', 'b2', 'failed'), (${appId}, 'main', 'c3', 'queued')`;
    expect(await read('deploy_failed')).toEqual({ kind: 'event', active: true });
    await db.sql`INSERT INTO deployments (app_id, ref, sha, state) VALUES (${appId}, 'main', 'd4', 'succeeded')`;
    expect(await read('deploy_failed')).toEqual({ kind: 'event', active: false });
  });

  it('reads certificate_failing from the app\'s domains', async () => {
    await db.sql`INSERT INTO domains (app_id, name) VALUES (${appId}, 'shop.example.com')`;
    await db.sql`INSERT INTO certificates (name, source, state) VALUES ('shop.example.com', 'acme', 'pending')`;
    expect(await read('certificate_failing')).toEqual({ kind: 'event', active: false });
    await db.sql`UPDATE certificates SET state = 'failed' WHERE name = 'shop.example.com'`;
    expect(await read('certificate_failing')).toEqual({ kind: 'event', active: true });
  });

  it('reads crash_loop from the crash records of the current release', async () => {
    await db.sql`UPDATE apps SET current_release = 3 WHERE id = ${appId}`;
    const crash = (release: number, exits: number) => db.sql`
      INSERT INTO process_crashes (app_id, release, process_type, slot, exits, first_exit_at, last_exit_at, restart_at)
      VALUES (${appId}, ${release}, 'web', 1, ${exits}, ${new Date(now.getTime() - 120_000)}, ${new Date(now.getTime() - 60_000)}, ${now})
      ON CONFLICT (app_id, process_type, slot) DO UPDATE SET release = EXCLUDED.release, exits = EXCLUDED.exits`;
    await crash(2, 5);
    expect(await read('crash_loop')).toEqual({ kind: 'event', active: false });
    await crash(3, 1);
    expect(await read('crash_loop')).toEqual({ kind: 'event', active: false });
    await crash(3, 5);
    expect(await read('crash_loop')).toEqual({ kind: 'event', active: true });
  });

  it('reads metrics from the last minutes of rows, and nothing without traffic', async () => {
    expect(await read('5xx_rate > 5%')).toEqual({ kind: 'metric', value: undefined });
    const status = { '1xx': 0, '2xx': 90, '3xx': 0, '4xx': 0, '5xx': 10 };
    await addMetricRows(db.sql, [{ appId, processType: 'web', resolution: '1m', at: new Date('2026-12-05T11:59:00Z'), requests: 100, status, latencyBuckets: null, latencySum: 0, cpuPercent: null, memoryMb: null, instances: null }]);
    expect(await read('5xx_rate > 5%')).toEqual({ kind: 'metric', value: 10 });
    expect(await read('request_rate < 1')).toEqual({ kind: 'metric', value: 50 });
  });
});
