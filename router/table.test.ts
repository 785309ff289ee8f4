import { describe, expect, it } from 'vitest';
import { buildRoutingTable, hostFromHeader, lookupRoute, type RoutingInput } from './table.js';

const up = (port: number) => ({ host: '127.0.0.1', port });

const input: RoutingInput = {
  domain: 'LocalHost',
  apps: [
    { name: 'web', upstreams: [up(3001), up(3002)], customDomains: ['Shop.Example.com', '*.tenants.example.com'] },
    { name: 'api2', upstreams: [], customDomains: ['web.localhost'] },
    { name: 'broken', upstreams: [up(3003)], state: 'crashed' },
    { name: 'cold', upstreams: [], state: 'running' },
    { name: 'deep', upstreams: [up(3005)], customDomains: ['*.a.tenants.example.com'] },
  ],
  previews: [{ app: 'web', slug: 'pr-42', upstreams: [up(4001)] }],
};
const table = buildRoutingTable(input);

describe('lookupRoute', () => {
  it.each([
    ['web.localhost', 'web', undefined],
    ['web.localhost:8080', 'web', undefined],
    ['WEB.LocalHost:8080', 'web', undefined],
    ['web.localhost.', 'web', undefined],
    ['  web.localhost  ', 'web', undefined],
    ['pr-42.web.localhost:8080', 'web', 'pr-42'],
    ['shop.example.com', 'web', undefined],
    ['SHOP.example.com:443', 'web', undefined],
    ['acme.tenants.example.com', 'web', undefined],
    ['x.a.tenants.example.com', 'deep', undefined],
    ['broken.localhost', 'broken', undefined],
  ])('%s routes to %s (preview %s)', (host, app, preview) => {
    const route = lookupRoute(table, host);
    expect(route?.app).toBe(app);
    expect(route?.preview).toBe(preview);
  });

  it.each([
    ['unknown.localhost'],
    ['localhost'],
    ['other.pr-42.web.localhost'],
    ['tenants.example.com'],
    ['x.y.tenants.example.com'],
    [''],
    [':8080'],
    [undefined],
  ])('%j has no route', (host) => {
    expect(lookupRoute(table, host)).toBeUndefined();
  });

  it('keeps the generated host when a custom domain collides with it', () => {
    expect(lookupRoute(table, 'web.localhost')?.app).toBe('web');
  });
});

describe('buildRoutingTable', () => {
  it.each([
    ['web.localhost', 'running', 2],
    ['api2.localhost', 'idle', 0],
    ['broken.localhost', 'crashed', 1],
    ['cold.localhost', 'idle', 0],
    ['pr-42.web.localhost', 'running', 1],
  ])('%s is %s with %d upstreams', (host, state, count) => {
    const route = table.routes.get(host);
    expect(route?.state).toBe(state);
    expect(route?.upstreams).toHaveLength(count);
  });

  it('normalises the domain and sorts wildcards most specific first', () => {
    expect(table.domain).toBe('localhost');
    expect(table.wildcards.map((w) => w.suffix)).toEqual(['.a.tenants.example.com', '.tenants.example.com']);
  });

  it('carries an app\'s health check to every host of the app, and a preview\'s to its own', () => {
    const check = { path: '/health', timeoutSeconds: 5 };
    const t = buildRoutingTable({
      domain: 'localhost',
      apps: [{ name: 'a', upstreams: [up(1)], customDomains: ['a.io', '*.a.io'], healthCheck: check }, { name: 'b', upstreams: [up(2)] }],
      previews: [{ app: 'a', slug: 'pr-1', upstreams: [up(3)] }],
    });
    expect(lookupRoute(t, 'a.localhost')?.healthCheck).toEqual(check);
    expect(lookupRoute(t, 'a.io')?.healthCheck).toEqual(check);
    expect(lookupRoute(t, 'x.a.io')?.healthCheck).toEqual(check);
    expect(lookupRoute(t, 'b.localhost')?.healthCheck).toBeUndefined();
    // A preview runs its own build, whose app.json may differ: it has only what it was given.
    expect(lookupRoute(t, 'pr-1.a.localhost')?.healthCheck).toBeUndefined();
  });

  it('copies upstream lists so later changes to the input do not leak in', () => {
    const apps = [{ name: 'a', upstreams: [up(1)] }];
    const t = buildRoutingTable({ domain: 'localhost', apps });
    apps[0]!.upstreams.push(up(2));
    expect(t.routes.get('a.localhost')?.upstreams).toHaveLength(1);
  });

  it('looks up 10,000 routes', () => {
    const apps = Array.from({ length: 10_000 }, (_, i) => ({ name: `app${i}`, upstreams: [up(10_000 + i)] }));
    const big = buildRoutingTable({ domain: 'example.test', apps });
    expect(big.routes.size).toBe(10_000);
    for (let i = 0; i < 10_000; i++) {
      expect(lookupRoute(big, `APP${i}.example.test:80`)?.upstreams[0]?.port).toBe(10_000 + i);
    }
    expect(lookupRoute(big, 'app10000.example.test')).toBeUndefined();
  });
});

describe('hostFromHeader', () => {
  it.each([
    ['a.localhost:8080', 'a.localhost'],
    ['[::1]:8080', '[::1]'],
    ['[::1]', '[::1]'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['A.B.', 'a.b'],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (header, host) => {
    expect(hostFromHeader(header)).toBe(host);
  });
});
