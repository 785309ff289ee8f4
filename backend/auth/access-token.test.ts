import { describe, expect, it } from 'vitest';
import { accessTokenClaims, signAccessToken, verifyAccessToken, type AccessTokenInput } from './access-token.js';

const INPUT: AccessTokenInput = {
  user: { id: 'u1', email: 'ada@example.com', phone: null, role: null, appMetadata: { provider: 'email' },
    userMetadata: { name: 'Ada' }, isAnonymous: false },
  sessionId: 's1',
  amr: [{ method: 'password', timestamp: 1000 }],
  issuer: 'http://x/auth/v1',
  expirySeconds: 3600,
  nowSeconds: 1000,
};

describe('accessTokenClaims', () => {
  it('carries Supabase claims: audience, role, ids, metadata, session, amr, expiry', () => {
    expect(accessTokenClaims(INPUT)).toEqual({
      iss: 'http://x/auth/v1', sub: 'u1', aud: 'authenticated', exp: 4600, iat: 1000,
      email: 'ada@example.com', phone: '', app_metadata: { provider: 'email' }, user_metadata: { name: 'Ada' },
      role: 'authenticated', aal: 'aal1', amr: [{ method: 'password', timestamp: 1000 }], session_id: 's1', is_anonymous: false,
    });
  });

  it('keeps a role the user was given', () => {
    expect(accessTokenClaims({ ...INPUT, user: { ...INPUT.user, role: 'editor' } }).role).toBe('editor');
  });
});

describe('verifyAccessToken', () => {
  const secret = 'a-secret-of-the-project-aaaaaaaaaaaa';
  const cases: { name: string; mutate: (t: string) => string; secret: string; now: number; message?: RegExp }[] = [
    { name: 'valid', mutate: (t) => t, secret, now: 2000 },
    { name: 'expired', mutate: (t) => t, secret, now: 5000, message: /token is expired/ },
    { name: 'another secret', mutate: (t) => t, secret: 'another-projects-secret-bbbbbbbbbbbb', now: 2000, message: /signature is invalid/ },
    { name: 'tampered payload', mutate: (t) => { const [h, p, s] = t.split('.'); const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()); claims.role = 'service_role'; return [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.'); }, secret, now: 2000, message: /signature is invalid/ },
    { name: 'garbage', mutate: () => 'not.a.jwt', secret, now: 2000, message: /malformed/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const token = c.mutate(await signAccessToken(accessTokenClaims(INPUT), secret));
      const result = verifyAccessToken(token, c.secret, c.now);
      if (!c.message) await expect(result).resolves.toMatchObject({ sub: 'u1' });
      else await expect(result).rejects.toMatchObject({ status: 403, code: 'bad_jwt', message: expect.stringMatching(c.message) });
    });
  }
});
