/**
 * Free TCP ports for process-runtime instances. The kernel picks one when we bind port 0; we
 * release it and hand the number to the app. Another program could take it in between: rare,
 * and the instance then fails its health check and is replaced.
 */
import { createServer } from 'node:net';

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    // No host: binds the wildcard (IPv6 dual-stack when available), so the port is free on
    // every interface the app might listen on.
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}
