import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildRoutingTable, type RoutingInput } from './table.js';
import { renderTraefikConfig, traefikHealthCheck, writeTraefikConfig, type TraefikDynamicConfig } from './traefik.js';

const up = (host: string, port: number) => ({ host, port });

function render(input: RoutingInput, entryPoints?: string[]): TraefikDynamicConfig {
  const yaml = renderTraefikConfig(buildRoutingTable(input), entryPoints ? { entryPoints } : undefined);
  return parse(yaml) as TraefikDynamicConfig;
}

describe('renderTraefikConfig', () => {
  it.each<[string, RoutingInput, string, { rule: string; servers: string[] }]>([
    [
      'an app with two instances',
      { domain: 'localhost', apps: [{ name: 'web', upstreams: [up('10.0.0.2', 5000), up('10.0.0.3', 5000)] }] },
      'app-web',
      { rule: 'Host(`web.localhost`)', servers: ['http://10.0.0.2:5000', 'http://10.0.0.3:5000'] },
    ],
    [
      'custom domains, sorted into one rule',
      { domain: 'example.com', apps: [{ name: 'shop', upstreams: [up('a', 1)], customDomains: ['WWW.Shop.io', 'shop.io'] }] },
      'app-shop',
      { rule: 'Host(`shop.example.com`) || Host(`shop.io`) || Host(`www.shop.io`)', servers: ['http://a:1'] },
    ],
    [
      'a wildcard custom domain',
      { domain: 'localhost', apps: [{ name: 't', upstreams: [up('a', 1)], customDomains: ['*.tenants.io'] }] },
      'app-t',
      { rule: 'Host(`t.localhost`) || HostRegexp(`^[a-z0-9-]+\\.tenants\\.io$`)', servers: ['http://a:1'] },
    ],
    [
      'a crashed app keeps its router and loses its servers',
      { domain: 'localhost', apps: [{ name: 'boom', upstreams: [up('a', 1)], state: 'crashed' }] },
      'app-boom',
      { rule: 'Host(`boom.localhost`)', servers: [] },
    ],
    [
      'an app without instances',
      { domain: 'localhost', apps: [{ name: 'idle', upstreams: [] }] },
      'app-idle',
      { rule: 'Host(`idle.localhost`)', servers: [] },
    ],
    [
      'a preview gets its own router and service',
      { domain: 'localhost', apps: [], previews: [{ app: 'web', slug: 'PR-42', upstreams: [up('::1', 7000)] }] },
      'preview-web-pr-42',
      { rule: 'Host(`pr-42.web.localhost`)', servers: ['http://[::1]:7000'] },
    ],
  ])('%s', (_title, input, name, expected) => {
    const config = render(input);
    const router = config.http.routers[name];
    expect(router).toEqual({ rule: expected.rule, service: name, entryPoints: ['web'] });
    expect(config.http.services[name]).toEqual({ loadBalancer: { servers: expected.servers.map((url) => ({ url })) } });
  });

  it('lists exactly one router and service per app and preview', () => {
    const config = render({
      domain: 'localhost',
      apps: [
        { name: 'a', upstreams: [up('h', 1)] },
        { name: 'b', upstreams: [up('h', 2)] },
      ],
      previews: [{ app: 'a', slug: 'feature-x', upstreams: [up('h', 3)] }],
    });
    expect(Object.keys(config.http.routers).sort()).toEqual(['app-a', 'app-b', 'preview-a-feature-x']);
    expect(Object.keys(config.http.services).sort()).toEqual(['app-a', 'app-b', 'preview-a-feature-x']);
  });

  it('has Traefik probe the servers of apps and previews that declare an app.json health check', () => {
    const config = render({
      domain: 'localhost',
      apps: [
        { name: 'checked', upstreams: [up('h', 1)], customDomains: ['shop.io'], healthCheck: { path: '/health', timeoutSeconds: 5 } },
        { name: 'plain', upstreams: [up('h', 2)] },
      ],
      previews: [{ app: 'checked', slug: 'pr-1', upstreams: [up('h', 3)], healthCheck: { path: '/ready?deep=1', timeoutSeconds: 2 } }],
    });
    expect(config.http.services['app-checked']).toEqual({
      loadBalancer: { servers: [{ url: 'http://h:1' }], healthCheck: { path: '/health', interval: '10s', timeout: '5s' } },
    });
    expect(config.http.services['preview-checked-pr-1']?.loadBalancer.healthCheck).toEqual({ path: '/ready?deep=1', interval: '10s', timeout: '2s' });
    // Without a declared check, a 404 on / must not make Traefik drop the app's servers.
    expect(config.http.services['app-plain']).toEqual({ loadBalancer: { servers: [{ url: 'http://h:2' }] } });
  });

  it.each([
    [{ path: '/health', timeoutSeconds: 1 }, { path: '/health', interval: '10s', timeout: '1s' }],
    [{ path: '/health', timeoutSeconds: 9 }, { path: '/health', interval: '10s', timeout: '9s' }],
    // Traefik needs the interval longer than the timeout.
    [{ path: '/slow', timeoutSeconds: 10 }, { path: '/slow', interval: '11s', timeout: '10s' }],
    [{ path: '/slow', timeoutSeconds: 60 }, { path: '/slow', interval: '61s', timeout: '60s' }],
  ])('turns the check %j into %j', (check, expected) => {
    expect(traefikHealthCheck(check)).toEqual(expected);
  });

  it('uses the given entry points', () => {
    const config = render({ domain: 'localhost', apps: [{ name: 'a', upstreams: [] }] }, ['web', 'websecure']);
    expect(config.http.routers['app-a']?.entryPoints).toEqual(['web', 'websecure']);
  });

  it('leaves out hosts that would break out of a rule', () => {
    const config = render({ domain: 'localhost', apps: [{ name: 'a', upstreams: [], customDomains: ['x`) || Host(`evil.com'] }] });
    expect(config.http.routers['app-a']?.rule).toBe('Host(`a.localhost`)');
  });

  it('renders an empty table as empty maps', () => {
    expect(render({ domain: 'localhost', apps: [] })).toEqual({ http: { routers: {}, services: {} } });
  });

  it('gives colliding names distinct suffixes', () => {
    const config = render({
      domain: 'localhost',
      apps: [],
      previews: [
        { app: 'a-b', slug: 'c', upstreams: [] },
        { app: 'a', slug: 'b-c', upstreams: [] },
      ],
    });
    expect(Object.keys(config.http.routers).sort()).toEqual(['preview-a-b-c', 'preview-a-b-c-2']);
    for (const [name, router] of Object.entries(config.http.routers)) expect(router.service).toBe(name);
  });
});

describe('writeTraefikConfig', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('replaces devflow.yml whole and leaves no temporary files', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devflow-traefik-'));
    const target = path.join(dir, 'dynamic');
    const first = buildRoutingTable({ domain: 'localhost', apps: [{ name: 'a', upstreams: [up('h', 1)] }] });
    const second = buildRoutingTable({ domain: 'localhost', apps: [{ name: 'b', upstreams: [up('h', 2)] }] });

    const written = await writeTraefikConfig(target, first);
    expect(written).toBe(path.join(target, 'devflow.yml'));
    await writeTraefikConfig(target, second);

    expect(await readdir(target)).toEqual(['devflow.yml']);
    const text = await readFile(written, 'utf8');
    expect(text).toBe(renderTraefikConfig(second));
    expect(Object.keys((parse(text) as TraefikDynamicConfig).http.routers)).toEqual(['app-b']);
  });
});
