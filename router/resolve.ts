/**
 * Which route a request goes to, or why it cannot go anywhere (error-pages.ts says it to the
 * user). Pure functions of the table and the request head.
 */
import type http from 'node:http';
import type { ProxyFailure } from './error-pages.js';
import { hostFromHeader, lookupRoute, type Route, type RoutingTable } from './table.js';

/** Either a route that can take the request, or the reason it cannot. */
export type Resolution = { route: Route } | { failure: ProxyFailure };

/** RFC 9112 §3.2: a server must answer 400 to more than one Host field; Node keeps only the first. */
function hasDuplicateHost(rawHeaders: string[]): boolean {
  let hosts = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.length === 4 && rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  return hosts > 1;
}

export function resolveRoute(table: RoutingTable, hostHeader: string | undefined): Resolution {
  const host = hostFromHeader(hostHeader);
  if (host === undefined) return { failure: { kind: 'missing-host' } };
  const route = lookupRoute(table, host);
  if (route === undefined) return { failure: { kind: 'unknown-host', host } };
  if (route.state === 'crashed') return { failure: { kind: 'crashed', app: route.app } };
  if (route.upstreams.length === 0) return { failure: { kind: 'no-instance', app: route.app } };
  return { route };
}

export function resolveRequest(table: RoutingTable, req: Pick<http.IncomingMessage, 'rawHeaders' | 'headers'>): Resolution {
  if (hasDuplicateHost(req.rawHeaders)) return { failure: { kind: 'duplicate-host' } };
  return resolveRoute(table, req.headers.host);
}

/** The HTTPS URL of a plain-HTTP request: same host, the HTTPS port, same path (308 keeps the method). */
export function httpsLocation(hostHeader: string | undefined, url: string | undefined, httpsPort: number): string | undefined {
  const host = hostFromHeader(hostHeader);
  if (host === undefined) return undefined;
  return `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${url ?? '/'}`;
}
