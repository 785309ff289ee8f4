import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { allows, createApiToken, listApiTokens, parseExpiry, parseScope, revokeApiToken, verifyAndTouch } from './api-tokens.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.drop());

describe('scoped tokens', () => {
  it.each([
    [['read'], 'read', true], [['read'], 'deploy', false], [['read'], 'admin', false],
    [['deploy'], 'read', true], [['deploy'], 'deploy', true], [['deploy'], 'admin', false],
    [['admin'], 'admin', true], [['admin'], 'read', true], [[], 'read', false],
  ] as const)('%j allows %s: %s', (scopes, required, expected) => {
    expect(allows({ scopes: [...scopes] }, required)).toBe(expected);
  });

  it('parses expiries and scopes, refusing nonsense with a hint', () => {
    expect(parseExpiry('30d')).toBe(30 * 86_400_000);
    expect(parseExpiry('90m')).toBe(90 * 60_000);
    expect(parseExpiry(undefined)).toBeNull();
    expect(parseExpiry('never')).toBeNull();
    expect(() => parseExpiry('soon')).toThrow(/use a duration like 90m/);
    expect(() => parseExpiry('0d')).toThrow();
    expect(parseScope('deploy')).toBe('deploy');
    expect(() => parseScope('root')).toThrow(/use read, deploy or admin/);
  });

  it('creates a token whose secret verifies until it is revoked; only the hash is stored', async () => {
    const { token, secret } = await createApiToken(db.sql, { name: 'ci', scope: 'deploy', expiresInMs: 3_600_000 });
    expect(token.scope).toBe('deploy');
    expect(await verifyAndTouch(db.sql, secret)).toEqual({ name: 'ci', scopes: ['deploy'] });
    const stored = await db.sql`SELECT hash FROM tokens WHERE id = ${token.id}`;
    expect(stored[0]!.hash).not.toContain(secret);
    expect((await listApiTokens(db.sql, { limit: 10 })).map((t) => t.name)).toContain('ci');
    await revokeApiToken(db.sql, token.id);
    expect(await verifyAndTouch(db.sql, secret)).toBeUndefined();
    await expect(revokeApiToken(db.sql, token.id)).rejects.toThrow(/does not exist/);
  });

  it('refuses an expired token', async () => {
    const { token, secret } = await createApiToken(db.sql, { name: 'old', scope: 'read', expiresInMs: 60_000 });
    await db.sql`UPDATE tokens SET expires_at = now() - interval '1 second' WHERE id = ${token.id}`;
    expect(await verifyAndTouch(db.sql, secret)).toBeUndefined();
  });

  it('pages tokens newest first', async () => {
    for (const name of ['p1', 'p2', 'p3']) await createApiToken(db.sql, { name, scope: 'read', expiresInMs: null });
    const first = await listApiTokens(db.sql, { limit: 2 });
    const next = await listApiTokens(db.sql, { limit: 2, beforeId: first[1]!.id });
    expect(first.map((t) => t.name)).toEqual(['p3', 'p2']);
    expect(next[0]!.name).toBe('p1');
  });
});
