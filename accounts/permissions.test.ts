import { describe, expect, it } from 'vitest';
import { actionsOf, decide, type Access, type Role } from './permissions.js';

function person(role: Role | undefined, scopes: Access['scopes'] = ['admin'], apps: number[] | null = null): Access {
  return { actor: 'ada@example.com', personId: 1, scopes, teams: new Map(role ? [[7, role]] : []), apps, sessionId: null };
}

describe('the permission table', () => {
  it.each([
    ['owner', 'owner', 'allowed'], ['owner', 'admin', 'allowed'],
    ['admin', 'owner', 'forbidden'], ['admin', 'admin', 'allowed'], ['admin', 'deploy', 'allowed'],
    ['developer', 'admin', 'forbidden'], ['developer', 'deploy', 'allowed'], ['developer', 'read', 'allowed'],
    ['viewer', 'deploy', 'forbidden'], ['viewer', 'read', 'allowed'],
  ] as const)('%s may %s: %s', (role, action, expected) => {
    expect(decide(person(role), action, 7)).toBe(expected);
  });

  it('hides another team, whatever role the caller has in its own', () => {
    for (const role of ['owner', 'admin', 'developer', 'viewer'] as const) {
      expect(decide(person(role), 'read', 8)).toBe('not_found');
    }
  });

  it('narrows a role by the credential scope: an owner with a read token reads only', () => {
    expect(decide(person('owner', ['read']), 'read', 7)).toBe('allowed');
    expect(decide(person('owner', ['read']), 'deploy', 7)).toBe('forbidden');
  });

  it('hides apps outside a token limited to apps', () => {
    expect(decide(person('developer', ['deploy'], [3]), 'deploy', 7, 3)).toBe('allowed');
    expect(decide(person('developer', ['deploy'], [3]), 'read', 7, 4)).toBe('not_found');
  });

  it('lets the instance (the admin token, the operator) do everything its scope allows', () => {
    const instance: Access = { actor: 'admin', personId: null, scopes: ['admin'], teams: 'all', apps: null, sessionId: null };
    expect(decide(instance, 'owner', 99)).toBe('allowed');
    expect(decide({ ...instance, scopes: ['read'] }, 'deploy', 99)).toBe('forbidden');
  });

  it('lists what a role may do with a token', () => {
    expect(actionsOf('developer', ['admin'])).toEqual(['read', 'deploy']);
    expect(actionsOf('owner', ['deploy'])).toEqual(['read', 'deploy']);
  });
});
