import { describe, expect, it } from 'vitest';
import { BCRYPT_COST, hashPassword, passwordProblem, verifyPassword } from './passwords.js';

describe('passwordProblem', () => {
  const cases: { password: unknown; code?: string; status?: number }[] = [
    { password: 'secret-enough' },
    { password: 'sixsix' },
    { password: 'five5', code: 'weak_password', status: 422 },
    { password: '', code: 'validation_failed', status: 422 },
    { password: undefined, code: 'validation_failed', status: 422 },
    { password: 42, code: 'validation_failed', status: 422 },
    { password: 'x'.repeat(73), code: 'validation_failed', status: 422 },
    { password: 'ééééé', code: 'weak_password', status: 422 },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.password)} -> ${c.code ?? 'usable'}`, () => {
      const problem = passwordProblem(c.password);
      expect(problem?.code).toBe(c.code);
      expect(problem?.status).toBe(c.status);
    });
  }
});

describe('hashPassword', () => {
  it('writes Go bcrypt hashes at cost 10 that verify, and refuses other passwords', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(new RegExp(`^\\$2a\\$${BCRYPT_COST}\\$`));
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
  });
});
