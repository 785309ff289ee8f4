/**
 * The one buffer the embedded proxy's socket reads land in: plain client connections
 * (client-reader.ts) and upstream connections (upstream-pool.ts) alike. A read is handed to its
 * parser and dropped before the event loop makes the next one, so one buffer serves every
 * socket, and memory does not grow by 64 KiB per open connection. Whoever keeps bytes past the
 * read copies them.
 */
const READ_BUFFER_BYTES = 64 * 1024;

let shared: Buffer | undefined;

export function sharedReadBuffer(): Buffer {
  return (shared ??= Buffer.allocUnsafe(READ_BUFFER_BYTES));
}
