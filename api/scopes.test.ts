import { describe, expect, it } from 'vitest';
import { OPERATIONS } from './openapi.js';
import { requiredScope } from './scopes.js';

describe('requiredScope', () => {
  it.each([
    ['GET', '/apps', 'read'],
    ['GET', '/apps/hello', 'read'],
    ['GET', '/apps/hello/deployments?limit=5', 'read'],
    ['GET', '/apps/hello/logs', 'read'],
    ['GET', '/events', 'read'],
    ['POST', '/events/ticket', 'read'],
    ['GET', '/apps/hello/config', 'deploy'],
    ['GET', '/apps/hello/config/database', 'deploy'],
    ['GET', '/projects/hello/config', 'deploy'],
    ['GET', '/apps/hello/previews', 'read'],
    ['GET', '/apps/hello/previews/webhook', 'deploy'],
    ['GET', '/apps/hello/previews/config', 'deploy'],
    ['GET', '/apps/hello/backend', 'deploy'],
    ['POST', '/apps/hello/backend', 'deploy'],
    ['PATCH', '/apps/hello/backend', 'deploy'],
    ['GET', '/apps/hello/backend/mail', 'deploy'],
    ['PUT', '/apps/hello/https-redirect', 'deploy'],
    ['POST', '/apps/hello/deployments', 'deploy'],
    ['POST', '/projects/hello/deployments', 'deploy'],
    ['POST', '/apps/hello/rollback', 'deploy'],
    ['PATCH', '/apps/hello/config', 'deploy'],
    ['PATCH', '/apps/hello/processes/web', 'deploy'],
    ['DELETE', '/apps/hello/domains/www.example.com', 'deploy'],
    ['GET', '/apps/hello/git', 'deploy'],
    ['GET', '/apps/hello/metrics/custom?since=1h', 'read'],
    ['GET', '/apps/hello/metrics/custom/shop_orders_total', 'read'],
    ['GET', '/apps/hello/git/webhook', 'deploy'],
    ['PUT', '/apps/hello/git', 'deploy'],
    ['POST', '/apps/hello/git/deploy', 'deploy'],
    ['POST', '/apps', 'admin'],
    ['DELETE', '/apps/hello', 'admin'],
    ['DELETE', '/projects/hello', 'admin'],
    ['GET', '/tokens', 'admin'],
    ['POST', '/tokens', 'admin'],
    ['DELETE', '/tokens/3', 'admin'],
    ['GET', '/apps/hello/stripe', 'read'],
    ['PUT', '/apps/hello/stripe', 'deploy'],
    ['DELETE', '/apps/hello/stripe', 'deploy'],
  ] as const)('%s %s needs %s', (method, path, scope) => {
    expect(requiredScope(method, path)).toBe(scope);
  });

  it('agrees with the scope the OpenAPI document states for every operation', () => {
    for (const op of OPERATIONS.filter((o) => o.scope !== 'public')) {
      const concrete = op.path.replace(/\{[^}]+\}/g, 'x1');
      expect(requiredScope(op.method, concrete), `${op.method} ${op.path}`).toBe(op.scope);
    }
  });
});
