import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientReader } from './client-reader.js';

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
});

/** A connected pair over loopback: the accepted end arrives paused, as the proxy's server makes it. */
async function pair(pauseOnConnect: boolean): Promise<{ accepted: net.Socket; client: net.Socket }> {
  const server = net.createServer({ pauseOnConnect, allowHalfOpen: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [net.Socket];
  cleanups.push(() => {
    client.destroy();
    accepted.destroy();
    server.close();
  });
  return { accepted, client };
}

/** Collects what a reader hands over, copied (a view of the shared buffer is only valid during the call). */
function collector(): { chunks: string[]; onBytes: (data: Buffer) => boolean } {
  const chunks: string[] = [];
  return { chunks, onBytes: (data) => (chunks.push(data.toString('latin1')), true) };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('ClientReader', () => {
  it('reads a paused plain connection into the shared buffer on this Node', async () => {
    // If Node's onread internals move, the reader falls back to the stream, and this says so.
    const { accepted, client } = await pair(true);
    const { chunks, onBytes } = collector();
    const reader = new ClientReader(accepted, onBytes, true);
    expect(reader.reusesBuffer).toBe(true);
    client.write('GET / HTTP/1.1\r\n\r\n');
    await until(() => chunks.join('') === 'GET / HTTP/1.1\r\n\r\n');
  });

  it('reads through the stream when the connection was already reading', async () => {
    const { accepted, client } = await pair(false);
    const { chunks, onBytes } = collector();
    const reader = new ClientReader(accepted, onBytes, false);
    expect(reader.reusesBuffer).toBe(false);
    client.write('hello');
    await until(() => chunks.join('') === 'hello');
  });

  it.each([true, false])('sees the client end its side (shared buffer: %s)', async (shared) => {
    const { accepted, client } = await pair(shared);
    const { chunks, onBytes } = collector();
    new ClientReader(accepted, onBytes, shared);
    const ended = once(accepted, 'end');
    client.end('last');
    await ended;
    expect(chunks.join('')).toBe('last');
  });

  it.each([true, false])('stops when told, and the next resume goes on (shared buffer: %s)', async (shared) => {
    const { accepted, client } = await pair(shared);
    const chunks: string[] = [];
    new ClientReader(accepted, (data) => (chunks.push(data.toString()), false), shared);
    client.write('one');
    await until(() => chunks.length === 1);
    client.write('two');
    await new Promise((r) => setTimeout(r, 100));
    expect(chunks).toEqual(['one']);
    accepted.resume();
    await until(() => chunks.join('') === 'onetwo');
  });

  it.each([true, false])('holds bytes after an upgrade head and relays them, then the rest, in order (shared buffer: %s)', async (shared) => {
    const { accepted, client } = await pair(shared);
    const { chunks, onBytes } = collector();
    const reader = new ClientReader(accepted, onBytes, shared);
    client.write('HEAD');
    await until(() => chunks.join('') === 'HEAD');
    reader.hold();
    client.write('early-');
    await new Promise((r) => setTimeout(r, 100));
    // Another connection's read overwrites the shared buffer meanwhile.
    const other = await pair(shared);
    const otherChunks = collector();
    new ClientReader(other.accepted, otherChunks.onBytes, shared);
    other.client.write('x'.repeat(100));
    await until(() => otherChunks.chunks.join('').length === 100);

    const upstream = await pair(false);
    const relayed: string[] = [];
    upstream.accepted.on('data', (d: Buffer) => relayed.push(d.toString()));
    reader.relayTo(upstream.client);
    client.write('late');
    await until(() => relayed.join('') === 'early-late');
    expect(chunks.join('')).toBe('HEAD');
  });
});
