/**
 * Instances going away behind a port proxy: the connection is accepted, then reset before any
 * answer. Idempotent requests go to the next upstream; others get the 502, since the app may
 * have received them.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startNamedUpstream, startProxy, type TestServer } from './fixtures.js';
import type { EmbeddedProxy } from './proxy.js';
import { buildRoutingTable, type Upstream } from './table.js';

/** Accepts connections and resets each as soon as the request starts arriving. */
async function startResetter(): Promise<{ upstream: Upstream; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    upstream: { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('retry after a reset on a new connection', () => {
  let proxy: EmbeddedProxy;
  let port: number;
  let good: TestServer;
  let resetter: Awaited<ReturnType<typeof startResetter>>;

  beforeAll(async () => {
    good = await startNamedUpstream('good');
    resetter = await startResetter();
    ({ proxy, port } = await startProxy());
    proxy.setTable(buildRoutingTable({
      domain: 'localhost',
      apps: [
        { name: 'mixed', upstreams: [resetter.upstream, good.upstream] },
        { name: 'lonely', upstreams: [resetter.upstream] },
      ],
    }));
  });
  afterAll(async () => {
    await proxy.close();
    await good.close();
    await resetter.close();
  });

  it('sends GETs to the next upstream, every time', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await send(port, 'mixed.localhost');
      expect(res.status).toBe(200);
      expect(res.body).toContain('good');
    }
  });

  it('does not resend a POST, which the app may have received', async () => {
    const answers = await Promise.all([0, 1, 2, 3].map(() => send(port, 'mixed.localhost', { method: 'POST', body: 'x' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 502, 502]);
  });

  it('answers 502 when the only upstream resets', async () => {
    const res = await send(port, 'lonely.localhost');
    expect(res.status).toBe(502);
    expect(res.body).toContain('ECONNRESET');
  });
});

/**
 * A rolling deploy swaps the table between a request's plan and its connect: the old instance,
 * the route's only one, closes its listener as it stops. The request goes once to what the table
 * holds now, with the same rule on what may be sent again.
 */
describe('retry on the swapped table when the only planned upstream goes away', () => {
  let proxy: EmbeddedProxy;
  let port: number;
  let fresh: TestServer;
  let stopping: net.Server;
  let stoppingUpstream: Upstream;
  const oldTable = () => buildRoutingTable({ domain: 'localhost', apps: [{ name: 'rolling', upstreams: [stoppingUpstream] }] });
  const newTable = () => buildRoutingTable({ domain: 'localhost', apps: [{ name: 'rolling', upstreams: [fresh.upstream] }] });

  beforeAll(async () => {
    fresh = await startNamedUpstream('fresh');
    // The old instance: as its request arrives, the deploy swaps the table, then the instance resets.
    stopping = net.createServer((socket) => socket.once('data', () => {
      proxy.setTable(newTable());
      socket.resetAndDestroy();
    }));
    await new Promise<void>((resolve) => stopping.listen(0, '127.0.0.1', resolve));
    stoppingUpstream = { host: '127.0.0.1', port: (stopping.address() as AddressInfo).port };
    ({ proxy, port } = await startProxy());
  });
  afterAll(async () => {
    await proxy.close();
    await fresh.close();
    await new Promise((resolve) => stopping.close(resolve));
  });

  it('sends a GET to the instance the new table holds', async () => {
    proxy.setTable(oldTable());
    const res = await send(port, 'rolling.localhost');
    expect(res.status).toBe(200);
    expect(res.body).toContain('fresh');
  });

  it('does not resend a POST after a reset, which the old instance may have received', async () => {
    proxy.setTable(oldTable());
    const res = await send(port, 'rolling.localhost', { method: 'POST', body: 'x' });
    expect(res.status).toBe(502);
    expect(res.body).toContain('ECONNRESET');
  });
});
