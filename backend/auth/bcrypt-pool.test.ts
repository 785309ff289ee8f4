import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BcryptPool } from './bcrypt-pool.js';

describe('BcryptPool', () => {
  const pool = new BcryptPool(2);
  afterAll(() => pool.close());

  it('hashes in workers what bcryptjs verifies, and compares both ways', async () => {
    const hash = await pool.hash('correct horse', 4);
    expect(bcrypt.compareSync('correct horse', hash)).toBe(true);
    const results = await Promise.all([
      pool.compare('correct horse', hash), pool.compare('wrong horse', hash), pool.compare('correct horse', hash),
    ]);
    expect(results).toEqual([true, false, true]);
  });

  it('spreads concurrent jobs over its workers and answers each its own', async () => {
    const hashes = await Promise.all(['a1', 'b2', 'c3', 'd4'].map((p) => pool.hash(p, 4)));
    const checks = await Promise.all(hashes.map((h, i) => pool.compare(['a1', 'b2', 'c3', 'd4'][i]!, h)));
    expect(checks).toEqual([true, true, true, true]);
    expect(await pool.compare('a1', 'not a bcrypt hash')).toBe(false);
  });
});
