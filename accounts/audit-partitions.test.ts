/**
 * The audit log's partitions kept by the background loop, on the real PostgreSQL, with a clock
 * the test moves across months (in 2031, clear of the months the migrations made).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { keepAuditPartitions, startAuditPartitionLoop } from './audit-partitions.js';

let db: TestDatabase;
let clock = new Date('2031-01-15T12:00:00Z');
const now = () => clock;
const lines: string[] = [];

async function partitions(): Promise<string[]> {
  const rows = await db.sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'audit_log' AND c.relname LIKE 'audit_log_2031_%' ORDER BY 1`;
  return rows.map((r) => r.name);
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.drop());

describe('audit log partitions while DevFlow runs', () => {
  it('makes this month’s and next month’s partitions', async () => {
    await keepAuditPartitions(db.sql, { keepMonths: 13, now });
    expect(await partitions()).toEqual(['audit_log_2031_01', 'audit_log_2031_02']);
  });

  it('makes next month’s before it starts, so its first rows land in it', async () => {
    clock = new Date('2031-02-27T23:00:00Z');
    await keepAuditPartitions(db.sql, { keepMonths: 13, now });
    expect(await partitions()).toContain('audit_log_2031_03');
    await db.sql`INSERT INTO audit_log (at, actor, action) VALUES ('2031-03-01T00:00:00Z', 'ada@example.com', 'deploy')`;
    const [row] = await db.sql<{ part: string }[]>`SELECT tableoid::regclass::text AS part FROM audit_log WHERE actor = 'ada@example.com'`;
    expect(row!.part).toBe('audit_log_2031_03');
  });

  it('drops whole months past DEVFLOW_AUDIT_KEEP_MONTHS, and says so', async () => {
    clock = new Date('2031-03-10T08:00:00Z');
    const dropped = await keepAuditPartitions(db.sql, { keepMonths: 1, now, log: (l) => lines.push(l) });
    expect(dropped).toEqual(['audit_log_2031_01']);
    expect(await partitions()).toEqual(['audit_log_2031_02', 'audit_log_2031_03', 'audit_log_2031_04']);
    expect(lines).toEqual(['audit log: dropped audit_log_2031_01 (older than DEVFLOW_AUDIT_KEEP_MONTHS)']);
  });

  it('keeps doing it in the background as the clock moves on', async () => {
    const loop = await startAuditPartitionLoop(db.sql, { keepMonths: 1, now, everyMs: 25 });
    try {
      clock = new Date('2031-05-20T08:00:00Z');
      await vi.waitFor(async () => expect(await partitions()).toEqual(['audit_log_2031_04', 'audit_log_2031_05', 'audit_log_2031_06']), { timeout: 30_000, interval: 50 });
    } finally {
      await loop.stop();
    }
  });
});
