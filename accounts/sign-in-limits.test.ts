import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../core/store/database.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { recordFailedSignIn, secondsToWait, signInBlocked } from './sign-in-limits.js';

describe('secondsToWait', () => {
  const limit = { max: 3, windowMs: 60_000 };
  const now = 1_000_000;
  it.each([
    ['no failures', [], 0],
    ['fewer than the limit', [now - 1000, now - 2000], 0],
    ['the limit reached: until the oldest counted leaves', [now - 1000, now - 2000, now - 10_000], 50],
    ['failures past the window do not count', [now - 1000, now - 2000, now - 61_000], 0],
    ['more than the limit: the max-th newest counts', [now - 10_000, now - 50_000, now - 20_000, now - 30_000], 30],
    ['never less than a second', [now - 59_999, now - 59_999, now - 59_999], 1],
  ])('%s', (_name, failures, seconds) => {
    expect(secondsToWait(failures, limit, now)).toBe(seconds);
  });
});

describe('sign-in counters in PostgreSQL', () => {
  let db: TestDatabase;
  let otherProcess: Sql;
  const limits = { perAccount: 3, perIp: 5, windowMs: 60_000 };
  beforeAll(async () => {
    db = await createTestDatabase();
    otherProcess = connect(db.url);
  });
  afterAll(async () => {
    await otherProcess.end({ timeout: 2 });
    await db.drop();
  });

  it('blocks an account once two connections together reach its limit', async () => {
    await recordFailedSignIn(db.sql, limits, 'ada@example.com', '10.0.0.1');
    await recordFailedSignIn(otherProcess, limits, 'ada@example.com', '10.0.0.2');
    expect(await signInBlocked(db.sql, limits, 'ada@example.com', '10.0.0.3')).toBeUndefined();
    await recordFailedSignIn(db.sql, limits, 'ada@example.com', '10.0.0.1');
    for (const sql of [db.sql, otherProcess]) {
      const blocked = await signInBlocked(sql, limits, 'ada@example.com', '10.0.0.3');
      expect(blocked?.who).toBe('for ada@example.com');
      expect(blocked?.seconds).toBeGreaterThan(50);
    }
  });

  it('blocks an IP across accounts', async () => {
    for (let i = 0; i < limits.perIp; i++) await recordFailedSignIn(i % 2 ? db.sql : otherProcess, limits, `p${i}@example.com`, '10.9.9.9');
    expect((await signInBlocked(otherProcess, limits, 'new@example.com', '10.9.9.9'))?.who).toBe('from 10.9.9.9');
    expect(await signInBlocked(otherProcess, limits, 'new@example.com', '10.9.9.8')).toBeUndefined();
  });

  it('forgets failures past the window', async () => {
    await db.sql`UPDATE sign_in_failures SET at = at - interval '2 minutes' WHERE key = 'account:ada@example.com'`;
    expect(await signInBlocked(db.sql, limits, 'ada@example.com', '10.0.0.3')).toBeUndefined();
    await recordFailedSignIn(otherProcess, limits, 'ada@example.com', '10.0.0.3');
    const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sign_in_failures WHERE key = 'account:ada@example.com'`;
    expect(row!.n).toBe(1);
  });
});
