/**
 * The proxy's hot writes (a request head to the upstream, a response head with its first body
 * bytes to the client) go straight to the socket's libuv handle when net.Socket has nothing of
 * its own in flight, else through `socket.write` as usual.
 *
 * Why: on a small request the proxy makes two writes, and each `socket.write` goes through the
 * Writable machinery (state checks, a write request object, a callback and a next-tick after the
 * kernel already took the bytes). Writing to the handle is what that machinery ends in; skipping
 * the rest took about 0.6 µs of CPU off each request, about 5% of the proxy's throughput
 * (docs/benchmarks.md, session 5). The handle's write needs a WriteWrap, which Node keeps in its
 * `stream_wrap` binding; when that binding or the handle's write methods are missing (another
 * Node version), or for TLS sockets, `socket.write` is used and nothing else changes.
 *
 * What net.Socket does not see: the bytes written here are not in `socket.bytesWritten` and do
 * not reset `socket.setTimeout` timers (the proxy keeps its own deadlines). When the kernel does
 * not take everything at once, libuv keeps the rest queued and sends it before anything written
 * after, by either path (libuv's try-write refuses while its queue is not empty); the write
 * returns false and the socket emits 'drain' once the rest is out, as `socket.write` would.
 * Until then writes go through `socket.write`, so net.Socket counts them and its
 * `writableNeedDrain` still tells a client that does not read (client-connection.ts throttle);
 * what net.Socket does not count is that one write. A failed write destroys the socket with the
 * system error on the next tick, as a failed `socket.write` does.
 */
import type net from 'node:net';
import tls from 'node:tls';
import util from 'node:util';

interface WriteRequest {
  oncomplete?: (this: WriteRequest, status: number) => void;
  socket?: net.Socket;
  /** Kept alive while libuv still sends from it. */
  data?: Buffer | string;
}

interface StreamHandle {
  writeBuffer(req: WriteRequest, data: Buffer): number;
  writeLatin1String(req: WriteRequest, data: string): number;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

function loadBinding(): StreamWrapBinding | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    const { WriteWrap, streamBaseState, kLastWriteWasAsync } = binding;
    if (typeof WriteWrap !== 'function' || !(streamBaseState instanceof Int32Array) || typeof kLastWriteWasAsync !== 'number') return undefined;
    return { WriteWrap, streamBaseState, kLastWriteWasAsync };
  } catch {
    return undefined;
  }
}

const BINDING = loadBinding();
// A request object becomes libuv's only when a write is left queued; until then one is reused.
let spare: WriteRequest | undefined = BINDING === undefined ? undefined : new BINDING.WriteWrap();

/** Whether this Node lets the proxy write to socket handles directly (else every write is `socket.write`). */
export const directWrites = BINDING !== undefined;

function writeError(status: number): Error {
  return Object.assign(new Error(`write ${util.getSystemErrorName(status)}`), { code: util.getSystemErrorName(status), errno: status, syscall: 'write' });
}

/** Set on a socket while libuv holds a write made here; its writes meanwhile go through socket.write. */
const QUEUED = Symbol('queued direct write');
type Marked = net.Socket & { [QUEUED]?: boolean };

function afterQueuedWrite(this: WriteRequest, status: number): void {
  const socket = this.socket! as Marked;
  this.socket = undefined;
  this.data = undefined;
  socket[QUEUED] = false;
  if (socket.destroyed) return;
  if (status < 0) socket.destroy(writeError(status));
  else socket.emit('drain');
}

function handleOf(socket: net.Socket): StreamHandle | undefined {
  if ((socket as Marked)[QUEUED] === true) return undefined;
  if (socket.connecting || socket.destroyed || socket.writableEnded || socket.writableLength !== 0 || socket.writableCorked !== 0) return undefined;
  if (socket instanceof tls.TLSSocket) return undefined;
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  return typeof handle?.writeBuffer === 'function' && typeof handle.writeLatin1String === 'function' ? handle as StreamHandle : undefined;
}

/**
 * Writes `data` (a string is written as latin1, one byte per character) and returns what
 * `socket.write` would: false when the caller should wait for 'drain'. A Buffer must not be
 * changed after the call (as with `socket.write`): if the kernel does not take it whole, libuv
 * sends the rest from it later.
 */
export function writeNow(socket: net.Socket, data: Buffer | string): boolean {
  const handle = spare === undefined ? undefined : handleOf(socket);
  if (handle === undefined) return typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data);
  const req = spare!;
  const status = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
  if (status !== 0) {
    process.nextTick(() => socket.destroy(writeError(status)));
    return false;
  }
  if (BINDING!.streamBaseState[BINDING!.kLastWriteWasAsync] === 0) return true;
  // libuv holds the request until the rest is sent: it calls oncomplete, and this one is no longer spare.
  req.socket = socket;
  req.data = data;
  req.oncomplete = afterQueuedWrite;
  (socket as Marked)[QUEUED] = true;
  spare = new BINDING!.WriteWrap();
  return false;
}
