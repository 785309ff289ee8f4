import { describe, expect, it } from 'vitest';
import { AuthApiError, asAuthApiError, authErrors, renderAuthError, weakPassword } from './errors.js';

describe('renderAuthError', () => {
  const cases: { name: string; error: AuthApiError; version: string | undefined; status: number; body: object; header?: string }[] = [
    { name: 'supabase-js 2.x (2024-01-01): code and message', error: authErrors.invalidCredentials(), version: '2024-01-01',
      status: 400, body: { code: 'invalid_credentials', message: 'Invalid login credentials' }, header: '2024-01-01' },
    { name: 'a later version is answered as 2024-01-01', error: authErrors.userAlreadyExists(), version: '2025-06-01',
      status: 422, body: { code: 'user_already_exists', message: 'User already registered' }, header: '2024-01-01' },
    { name: 'no version: the legacy body', error: authErrors.notAdmin(), version: undefined,
      status: 403, body: { code: 403, error_code: 'not_admin', msg: 'User not allowed' } },
    { name: 'a malformed version: the legacy body', error: authErrors.notAdmin(), version: 'yesterday',
      status: 403, body: { code: 403, error_code: 'not_admin', msg: 'User not allowed' } },
    { name: 'weak password carries its reasons', error: weakPassword('too short', ['length']), version: '2024-01-01',
      status: 422, body: { code: 'weak_password', message: 'too short', weak_password: { reasons: ['length'] } }, header: '2024-01-01' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rendered = renderAuthError(c.error, c.version);
      expect(rendered.status).toBe(c.status);
      expect(rendered.body).toEqual(c.body);
      expect(rendered.headers['X-Supabase-Api-Version']).toBe(c.header);
    });
  }

  it('hides the details of unexpected failures', () => {
    const hidden = asAuthApiError(new Error('connection refused at 10.0.0.1'));
    expect(hidden.status).toBe(500);
    expect(hidden.message).not.toContain('10.0.0.1');
  });
});
