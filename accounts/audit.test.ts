import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { listAudit, partitionName, prepareAuditLog, recordAudit } from './audit.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.drop());

const row = { actor: 'ada@example.com', team: 'acme', app: 'shop', action: 'deploy', target: 'main', sourceIp: '127.0.0.1', requestId: 'r1' };

describe('audit log retention', () => {
  it('names monthly partitions', () => {
    expect(partitionName(new Date('2026-02-14T10:00:00Z'))).toBe('audit_log_2026_02');
  });

  it('keeps rows in monthly partitions and drops whole months past the retention', async () => {
    // Two months ago, as a DevFlow running then would have made them.
    const then = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 2, 10));
    expect(await prepareAuditLog(db.sql, 13, then)).toEqual([]);
    await db.sql`INSERT INTO audit_log (at, actor, team, action) VALUES (${then}, 'old', 'acme', 'deploy')`;
    await prepareAuditLog(db.sql, 13);
    await recordAudit(db.sql, row);
    const [where] = await db.sql<{ tableoid: string }[]>`SELECT tableoid::regclass::text AS tableoid FROM audit_log WHERE actor = 'old'`;
    expect(where!.tableoid).toBe(partitionName(then));
    expect((await listAudit(db.sql, { teams: ['acme'], limit: 10 })).map((r) => r.actor)).toEqual(['ada@example.com', 'old']);

    const dropped = await prepareAuditLog(db.sql, 1);
    expect(dropped).toEqual([partitionName(then)]);
    expect((await listAudit(db.sql, { teams: 'all', limit: 10 })).map((r) => r.actor)).toEqual(['ada@example.com']);
  });

  it('shows a caller only the teams it may read', async () => {
    await recordAudit(db.sql, { ...row, team: 'globex', actor: 'eve@example.com' });
    expect((await listAudit(db.sql, { teams: ['acme'], limit: 10 })).map((r) => r.team)).not.toContain('globex');
    expect(await listAudit(db.sql, { teams: [], limit: 10 })).toEqual([]);
  });
});
