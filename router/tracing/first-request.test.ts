/**
 * The first request of each release, through the real embedded proxy (upstreams are local HTTP
 * servers): reported once per release when an instance's response was relayed whole, never for
 * the router's own error pages nor for the old release's responses after the switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, send, startNamedUpstream, startProxy, type TestServer } from '../fixtures.js';
import type { EmbeddedProxy } from '../proxy.js';
import { buildRoutingTable, type Upstream } from '../table.js';
import { FirstRequestWatch, type FirstRequest } from './first-request.js';

describe('FirstRequestWatch', () => {
  const reported: FirstRequest[] = [];
  let failNext = false;
  const sink = {
    recordFirstRequest: async (first: FirstRequest) => {
      if (failNext) {
        failNext = false;
        throw new Error('store down');
      }
      reported.push(first);
    },
  };
  const errors: unknown[] = [];
  let proxy: EmbeddedProxy;
  let port: number;
  let v1: TestServer;
  let v2: TestServer;
  let dead: Upstream;
  const route = (release: number, upstream: Upstream) => proxy.setTable(buildRoutingTable({
    domain: 'localhost', apps: [{ name: 'shop', upstreams: [upstream], release }, { name: 'other', upstreams: [v1.upstream] }],
  }));
  const settle = () => new Promise((r) => setImmediate(r));

  beforeAll(async () => {
    [v1, v2] = await Promise.all([startNamedUpstream('v1'), startNamedUpstream('v2')]);
    dead = await closedPort();
    ({ proxy, port } = await startProxy({ firstRequests: new FirstRequestWatch(sink, (err) => errors.push(err)) }));
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all([v1.close(), v2.close()]);
  });

  it('reports the first relayed response of each release once, with its time', async () => {
    route(1, v1.upstream);
    const before = Date.now();
    expect((await send(port, 'shop.localhost')).body).toBe('v1');
    expect((await send(port, 'shop.localhost')).body).toBe('v1');
    // An app whose route names no release (previews, backends) is not watched.
    expect((await send(port, 'other.localhost')).body).toBe('v1');
    await settle();
    expect(reported).toEqual([{ app: 'shop', release: 1, startMs: expect.any(Number), durationMs: expect.any(Number) }]);
    expect(reported[0]!.startMs).toBeGreaterThanOrEqual(before - 1);
    expect(reported[0]!.startMs).toBeLessThanOrEqual(Date.now());
    expect(reported[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("does not count the router's own error page, and reports the release once an instance answers", async () => {
    route(2, dead);
    expect((await send(port, 'shop.localhost')).status).toBe(502);
    await settle();
    expect(reported.map((r) => r.release)).toEqual([1]);
    route(2, v2.upstream);
    expect((await send(port, 'shop.localhost')).body).toBe('v2');
    await settle();
    expect(reported.map((r) => r.release)).toEqual([1, 2]);
    // A response of the older release (a request planned before the switch) changes nothing.
    route(1, v1.upstream);
    expect((await send(port, 'shop.localhost')).body).toBe('v1');
    await settle();
    expect(reported.map((r) => r.release)).toEqual([1, 2]);
  });

  it('tries again on the next request when the sink failed', async () => {
    failNext = true;
    route(3, v2.upstream);
    await send(port, 'shop.localhost');
    await settle();
    expect(errors.map(String)).toEqual(['Error: store down']);
    expect(reported.map((r) => r.release)).toEqual([1, 2]);
    await send(port, 'shop.localhost');
    await settle();
    expect(reported.map((r) => r.release)).toEqual([1, 2, 3]);
  });
});
