import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { directWrites, writeNow } from './socket-write.js';

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
  vi.restoreAllMocks();
});

/** A connected pair over loopback; `reader` starts paused, so the writer's kernel buffers fill. */
async function pair(): Promise<{ writer: net.Socket; reader: net.Socket }> {
  const server = net.createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const writer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [[reader]] = (await Promise.all([once(server, 'connection'), once(writer, 'connect')])) as [[net.Socket], unknown];
  cleanups.push(() => {
    writer.destroy();
    reader.destroy();
    server.close();
  });
  return { writer, reader };
}

/** Reads from `reader` until `bytes` have arrived. */
async function receive(reader: net.Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  reader.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  reader.resume();
  for (let i = 0; i < 1000 && total < bytes; i++) await new Promise((r) => setTimeout(r, 10));
  return Buffer.concat(chunks);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('writeNow', () => {
  it('writes to the handle on this Node, strings as latin1, without socket.write', async () => {
    // If Node's stream_wrap binding moves, every write falls back to socket.write, and this says so.
    expect(directWrites).toBe(true);
    const { writer, reader } = await pair();
    const write = vi.spyOn(writer, 'write');
    const latin1 = 'caf\u00e9 \u00ff\r\n';
    expect(writeNow(writer, latin1)).toBe(true);
    expect(writeNow(writer, Buffer.from([0, 1, 2, 0x80]))).toBe(true);
    const got = await receive(reader, latin1.length + 4);
    expect(got).toEqual(Buffer.concat([Buffer.from(latin1, 'latin1'), Buffer.from([0, 1, 2, 0x80])]));
    expect(write).not.toHaveBeenCalled();
  });

  it('queues behind what net.Socket still holds, so bytes never overtake each other', async () => {
    const { writer, reader } = await pair();
    const big = randomBytes(16 * 1024 * 1024);
    expect(writer.write(big)).toBe(false); // more than the kernel takes while nobody reads
    writer.write('middle'); // held by net.Socket until the big write is out
    const write = vi.spyOn(writer, 'write');
    writeNow(writer, 'last');
    expect(write).toHaveBeenCalledTimes(1); // it went through socket.write, behind 'middle'
    const got = await receive(reader, big.length + 10);
    expect(got.length).toBe(big.length + 10);
    expect(sha256(got.subarray(0, big.length))).toBe(sha256(big));
    expect(got.subarray(big.length).toString()).toBe('middlelast');
  });

  it('says to wait when the kernel does not take it all, sends the rest first and emits drain', async () => {
    // Two sockets with writes left queued at once: each keeps its own request until libuv is done.
    const pairs = [await pair(), await pair()];
    const bigs = pairs.map(() => randomBytes(16 * 1024 * 1024));
    const drained = pairs.map(({ writer }) => once(writer, 'drain'));
    pairs.forEach(({ writer }, i) => {
      expect(writeNow(writer, bigs[i]!)).toBe(false);
      // While libuv holds the rest, writes go through net.Socket, which counts them (a client
      // that does not read is noticed by writableNeedDrain), and libuv sends them after it.
      writeNow(writer, `after ${i}`);
      expect(writer.writableLength).toBe(7);
    });
    const got = await Promise.all(pairs.map(({ reader }, i) => receive(reader, bigs[i]!.length + 7)));
    await Promise.all(drained);
    got.forEach((bytes, i) => {
      expect(bytes.length).toBe(bigs[i]!.length + 7);
      expect(sha256(bytes.subarray(0, bigs[i]!.length))).toBe(sha256(bigs[i]!));
      expect(bytes.subarray(bigs[i]!.length).toString()).toBe(`after ${i}`);
    });
  });

  it('sends a queued write whole before the end a later socket.end() makes', async () => {
    const { writer, reader } = await pair();
    const big = randomBytes(16 * 1024 * 1024);
    expect(writeNow(writer, big)).toBe(false);
    writer.end(); // as a response with Connection: close does
    const ended = once(reader, 'end');
    const got = await receive(reader, big.length);
    await ended;
    expect(sha256(got)).toBe(sha256(big));
  });

  it('reports a write to a reset connection as the socket error, after the call returns', async () => {
    // The accepted end was never read (pauseOnConnect), so the reset is first met by the write.
    const { writer: client, reader: writer } = await pair();
    client.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 50)); // the RST arrives
    const errors: NodeJS.ErrnoException[] = [];
    writer.on('error', (error) => errors.push(error));
    expect(writeNow(writer, 'too late')).toBe(false);
    expect(errors).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(errors.map((e) => e.syscall)).toEqual(['write']);
    expect(['EPIPE', 'ECONNRESET']).toContain(errors[0]!.code);
    expect(writer.destroyed).toBe(true);
  });

  it('lets a socket with a queued write be destroyed: no error, no drain', async () => {
    const { writer } = await pair();
    const events: string[] = [];
    writer.on('drain', () => events.push('drain')).on('error', () => events.push('error'));
    expect(writeNow(writer, randomBytes(16 * 1024 * 1024))).toBe(false);
    writer.destroy();
    await once(writer, 'close');
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([]);
  });
});
