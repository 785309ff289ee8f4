import { describe, expect, it } from 'vitest';
import { auditChange } from './audit-entry.js';

describe('auditChange', () => {
  it.each([
    ['PATCH', '/apps/shop/config', { DATABASE_PASSWORD: 's3cret', OLD: null }, { action: 'config.change', target: 'set DATABASE_PASSWORD; unset OLD' }],
    ['POST', '/apps/shop/deployments', { ref: 'main' }, { action: 'deploy', target: 'main' }],
    ['PATCH', '/apps/shop/processes/web', { replicas: 3, size: 'standard' }, { action: 'scale', target: 'web=3:standard' }],
    ['POST', '/apps/shop/domains', { name: 'www.shop.test' }, { action: 'domain.add', target: 'www.shop.test' }],
    ['DELETE', '/apps/shop/domains/www.shop.test', {}, { action: 'domain.remove', target: 'www.shop.test' }],
    ['POST', '/apps/shop/previews/webhook', {}, { action: 'preview-webhook.rotate', target: null }],
    ['DELETE', '/apps/shop/previews/pr-4', {}, { action: 'preview.remove', target: 'pr-4' }],
    ['POST', '/tokens', { name: 'ci', scope: 'deploy' }, { action: 'token.create', target: 'ci' }],
    ['DELETE', '/tokens/12', {}, { action: 'token.revoke', target: '12' }],
    ['POST', '/teams/acme/invitations', { email: 'ada@example.com', role: 'viewer' }, { action: 'member.invite', target: 'ada@example.com as viewer' }],
    ['DELETE', '/teams/acme/members/ada%40example.com', {}, { action: 'member.remove', target: 'ada@example.com' }],
    ['POST', '/projects/shop/rollback', { version: 'v3' }, { action: 'rollback', target: 'v3' }],
    ['POST', '/apps/shop/functions', { name: 'hello' }, { action: 'POST /apps/{app}/functions', target: null }],
  ] as const)('%s %s → %j', (method, path, body, expected) => {
    expect(auditChange(method, path, body)).toEqual(expected);
  });

  it('records no reads, sign-ins or event tickets', () => {
    expect(auditChange('GET', '/apps/shop/config', undefined)).toBeUndefined();
    expect(auditChange('POST', '/auth/login', { email: 'a@b.c', password: 'x' })).toBeUndefined();
    expect(auditChange('POST', '/events/ticket', {})).toBeUndefined();
  });

  it('never carries a config value', () => {
    const change = auditChange('PATCH', '/apps/shop/config', { API_KEY: 'value-that-must-not-leak' });
    expect(JSON.stringify(change)).not.toContain('value-that-must-not-leak');
  });
});
