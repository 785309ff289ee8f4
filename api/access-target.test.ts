import { describe, expect, it } from 'vitest';
import { accessTarget } from './access-target.js';

describe('accessTarget', () => {
  it.each([
    ['/apps', {}, { kind: 'own' }],
    ['/apps/shop', {}, { kind: 'app', name: 'shop' }],
    ['/apps/shop/config/database', {}, { kind: 'app', name: 'shop' }],
    ['/projects/shop/deployments', {}, { kind: 'app', name: 'shop' }],
    ['/deployments/42/log', {}, { kind: 'deployment', id: 42 }],
    ['/deployments/abc', {}, { kind: 'own' }],
    ['/teams', {}, { kind: 'own' }],
    ['/teams/acme/members', {}, { kind: 'team', name: 'acme' }],
    ['/events', {}, { kind: 'own' }],
    ['/events', { app: 'shop' }, { kind: 'app', name: 'shop' }],
    ['/audit', { team: 'acme' }, { kind: 'team', name: 'acme' }],
    ['/tokens/3', {}, { kind: 'own' }],
    ['/traces/abc', {}, { kind: 'instance' }],
    ['/traces/abc', { app: 'shop' }, { kind: 'app', name: 'shop' }],
  ] as const)('%s %j is about %j', (path, query, target) => {
    expect(accessTarget(path, query)).toEqual(target);
  });
});
