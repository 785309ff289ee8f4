/**
 * The worker's half of functions' network isolation: every TCP connection a function opens
 * through Node (net, tls, http, fetch, database drivers all come down to
 * `net.Socket.prototype.connect`) is judged by network-policy.ts before it is made, after name
 * resolution, so a refused one fails with an error that says why (`ERR_FUNCTION_NETWORK`)
 * instead of a bare ECONNREFUSED. Local (Unix) sockets and UDP are refused whole: a function has
 * no use for the host's. This guard runs in the function's own process, so code determined to
 * get around it can (a raw handle); the firewall (firewall.ts) holds the same line in the kernel.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { judgeConnection, type AllowedEndpoint } from './network-policy.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
type Lookup = (host: string, options: dns.LookupOptions, callback: LookupCallback) => void;

class FunctionNetworkError extends Error {
  readonly code = 'ERR_FUNCTION_NETWORK';
}

function refusal(message: string): FunctionNetworkError {
  return new FunctionNetworkError(message);
}

/** Resolves as asked, then refuses the lot when any address is closed. */
function guardedLookup(allowed: readonly AllowedEndpoint[], original: Lookup, port: number): Lookup {
  return (host, options, callback) => original(host, options, (err, address, family) => {
    if (err) return callback(err, address, family);
    const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
    for (const one of addresses) {
      const verdict = judgeConnection(allowed, one, port);
      if (!verdict.allowed) return callback(refusal(`${host}: ${verdict.message}`), address, family);
    }
    callback(null, address, family);
  });
}

export function installNetworkGuard(allowed: readonly AllowedEndpoint[]): void {
  const connect = net.Socket.prototype.connect;
  const normalize = (net as unknown as { _normalizeArgs(args: unknown[]): [Record<string, unknown>, unknown] })._normalizeArgs;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const normalized = Array.isArray(args[0]) ? (args[0] as [Record<string, unknown>, unknown]) : normalize(args);
    const options = normalized[0];
    const fail = (err: Error) => {
      process.nextTick(() => this.destroy(err));
      return this;
    };
    if (typeof options.path === 'string') return fail(refusal(`functions may not connect to local sockets (${options.path})`));
    const host = typeof options.host === 'string' ? options.host : 'localhost';
    const port = Number(options.port);
    if (net.isIP(host)) {
      const verdict = judgeConnection(allowed, host, port);
      if (!verdict.allowed) return fail(refusal(verdict.message));
    } else {
      options.lookup = guardedLookup(allowed, (options.lookup as Lookup | undefined) ?? (dns.lookup as unknown as Lookup), port);
    }
    return connect.call(this, normalized as never);
  } as typeof net.Socket.prototype.connect;
  Object.defineProperty(dgram, 'createSocket', {
    value: () => { throw refusal('functions may not use UDP sockets'); },
  });
  // `import { createSocket } from 'node:dgram'` in a bundle sees the patched export too.
  syncBuiltinESMExports();
}
