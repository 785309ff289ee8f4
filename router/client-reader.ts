/**
 * How the embedded proxy reads a client connection: into one read buffer shared by all plain
 * connections when Node allows it, else through the socket's stream ('data' events).
 *
 * Why: a socket read as a stream gets a new 64 KiB allocation per read, a Buffer object around
 * it, and a trip through the Readable machinery before the parser sees a byte. On a small request
 * that is about a tenth of the proxy's own CPU time (docs/benchmarks.md, session 4). Node's
 * public `onread` option reads into a caller's buffer instead, but only for sockets the caller
 * creates; the upstream pool uses it. For accepted sockets this module switches on the same
 * mechanism: the socket's two `onread` fields (found by their names on a socket made with the
 * public option) and its handle's `useUserBuffer`. When any of these is missing (another Node
 * version), or for TLS sockets, the stream is used; nothing else changes.
 *
 * The buffer is the proxy's one read buffer (read-buffer.ts). What a caller keeps past `onBytes`
 * it copies: `reusesBuffer` says when that is needed.
 */
import net from 'node:net';
import { sharedReadBuffer } from './read-buffer.js';

/** Receives the bytes of one read; returns false to stop reading until the socket is resumed. */
export type OnClientBytes = (data: Buffer) => boolean;

interface OnreadFields {
  buffer: symbol;
  callback: symbol;
}

/** The symbols under which net.Socket keeps an `onread` buffer and callback, if this Node has them. */
function findOnreadFields(): OnreadFields | undefined {
  const probe = new net.Socket({ onread: { buffer: Buffer.alloc(1), callback: () => true } } as net.SocketConstructorOpts);
  const symbols = Object.getOwnPropertySymbols(probe);
  const buffer = symbols.find((s) => s.description === 'kBuffer');
  const callback = symbols.find((s) => s.description === 'kBufferCb');
  probe.destroy();
  return buffer !== undefined && callback !== undefined ? { buffer, callback } : undefined;
}

const ONREAD = findOnreadFields();

type Mode = 'http' | 'held' | 'relay';

export class ClientReader {
  /** Whether the bytes given to onBytes view a buffer the next read overwrites. */
  readonly reusesBuffer: boolean;
  private mode: Mode = 'http';
  /** Bytes read while held (shared-buffer reads cannot be left unread); relayed first. */
  private held: Buffer[] = [];
  private relay: net.Socket | undefined;
  private readonly streamListener = (data: Buffer): void => {
    if (!this.received(data)) this.socket.pause();
  };

  /**
   * `paused`: the socket was accepted paused (net.Server's pauseOnConnect), so no read has
   * happened yet and its reading can still be switched to the shared buffer.
   */
  constructor(private readonly socket: net.Socket, private readonly onBytes: OnClientBytes, paused: boolean) {
    this.reusesBuffer = paused && !(socket as { encrypted?: boolean }).encrypted && useSharedBuffer(socket, this.received);
    if (!this.reusesBuffer) socket.on('data', this.streamListener);
    socket.resume();
  }

  private readonly received = (data: Buffer): boolean => {
    switch (this.mode) {
      case 'http':
        return this.onBytes(data);
      case 'held':
        this.held.push(Buffer.from(data));
        return false;
      case 'relay': {
        if (this.relay!.write(this.reusesBuffer ? Buffer.from(data) : data)) return true;
        this.relay!.once('drain', () => this.socket.resume());
        return false;
      }
    }
  };

  /** Stops reading (an upgrade head arrived): what follows is not HTTP and waits for relayTo. */
  hold(): void {
    this.mode = 'held';
    if (this.reusesBuffer) return; // the next read, if any, is kept in `held`
    this.socket.off('data', this.streamListener);
    this.socket.pause();
  }

  /** From now on the client's bytes go to `upstream` as they are, with backpressure. */
  relayTo(upstream: net.Socket): void {
    this.mode = 'relay';
    this.relay = upstream;
    for (const chunk of this.held.splice(0)) upstream.write(chunk);
    if (this.reusesBuffer) this.socket.resume();
    else this.socket.pipe(upstream, { end: false });
  }
}

/** Switches an accepted, not yet reading socket to the shared buffer; false if Node does not allow it. */
function useSharedBuffer(socket: net.Socket, callback: (data: Buffer) => boolean): boolean {
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (buffer: Buffer) => void } })._handle;
  if (ONREAD === undefined || typeof handle?.useUserBuffer !== 'function') return false;
  const buffer = sharedReadBuffer();
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[ONREAD.buffer] = buffer;
  fields[ONREAD.callback] = (bytes: number, into: Buffer) => callback(into.subarray(0, bytes));
  handle.useUserBuffer(buffer);
  return true;
}
