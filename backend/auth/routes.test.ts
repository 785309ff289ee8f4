import { describe, expect, it } from 'vitest';
import { getUserById } from './handlers/admin.js';
import { matchRoute, ROUTES } from './routes.js';
import { token } from './handlers/token.js';

describe('matchRoute', () => {
  const cases: { method: string; path: string; kind: string; id?: string }[] = [
    { method: 'POST', path: '/token', kind: 'found', id: '' },
    { method: 'POST', path: '/token/', kind: 'found', id: '' },
    { method: 'GET', path: '/token', kind: 'wrong-method' },
    { method: 'GET', path: '/admin/users/0b8c4b1e-6a4f-4d1e-9c1e-1b2a3c4d5e6f', kind: 'found', id: '0b8c4b1e-6a4f-4d1e-9c1e-1b2a3c4d5e6f' },
    { method: 'GET', path: '/admin/users/a/b', kind: 'none' },
    { method: 'PATCH', path: '/admin/users/x', kind: 'wrong-method' },
    { method: 'GET', path: '/admin/users', kind: 'found', id: '' },
    { method: 'GET', path: '/nothing', kind: 'none' },
    { method: 'GET', path: '/.well-known/jwks.json', kind: 'found', id: '' },
  ];
  for (const c of cases) {
    it(`${c.method} ${c.path} -> ${c.kind}`, () => {
      const match = matchRoute(ROUTES, c.method, c.path);
      expect(match.kind).toBe(c.kind);
      if (match.kind === 'found') expect(match.id).toBe(c.id);
    });
  }
  it('finds the handler the table names', () => {
    const match = matchRoute(ROUTES, 'POST', '/token');
    expect(match.kind === 'found' && match.handler).toBe(token);
    expect(getUserById).toBeTypeOf('function');
  });
});
