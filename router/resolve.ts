/**
 * Which route a request goes to, or why it cannot go anywhere (error-pages.ts says it to the
 * user). Pure functions of the table and the request head.
 */
import type { ProxyFailure } from './error-pages.js';
import { hostFromHeader, lookupRoute, type Route, type RoutingTable } from './table.js';

/** Either a route that can take the request, or the reason it cannot. */
export type Resolution = { route: Route } | { failure: ProxyFailure };

export function resolveRoute(table: RoutingTable, hostHeader: string | undefined): Resolution {
  const host = hostFromHeader(hostHeader);
  if (host === undefined) return { failure: { kind: 'missing-host' } };
  const route = lookupRoute(table, host);
  if (route === undefined) return { failure: { kind: 'unknown-host', host } };
  if (route.state === 'crashed') return { failure: { kind: 'crashed', app: route.app } };
  if (route.upstreams.length === 0) return { failure: { kind: 'no-instance', app: route.app } };
  return { route };
}

/** What the proxy knows of a request when it decides where it goes. */
export interface RequestFacts {
  method: string;
  url: string;
  host: string | undefined;
  hostCount: number;
  upgrade: boolean;
  encrypted: boolean;
}

export interface DecideOptions {
  /** The key authorization when the path is a pending ACME HTTP-01 challenge. */
  challenge: (url: string) => string | undefined;
  /** The public HTTPS port, when the proxy serves HTTPS. */
  httpsPort: number | undefined;
}

export type RequestAction =
  | { kind: 'challenge'; keyAuthorization: string }
  | { kind: 'fail'; failure: ProxyFailure }
  | { kind: 'redirect'; location: string; app: string }
  | { kind: 'forward'; route: Route }
  | { kind: 'upgrade'; route: Route };

/**
 * Where a request goes, in order: pending ACME challenges first (so an app can neither hide nor
 * fake one, even when it redirects to HTTPS), then the Host checks and the route, then the
 * HTTPS redirect an app asked for. Upgrades are tunnelled as they are, never redirected.
 */
export function decideRequest(table: RoutingTable, facts: RequestFacts, options: DecideOptions): RequestAction {
  if (facts.method === 'CONNECT') return { kind: 'fail', failure: { kind: 'connect-method' } };
  if (!facts.upgrade && (facts.method === 'GET' || facts.method === 'HEAD')) {
    const keyAuthorization = options.challenge(facts.url);
    if (keyAuthorization !== undefined) return { kind: 'challenge', keyAuthorization };
  }
  // RFC 9112 §3.2: a server must answer 400 to more than one Host field.
  if (facts.hostCount > 1) return { kind: 'fail', failure: { kind: 'duplicate-host' } };
  const resolution = resolveRoute(table, facts.host);
  if ('failure' in resolution) return { kind: 'fail', failure: resolution.failure };
  const { route } = resolution;
  if (facts.upgrade) return { kind: 'upgrade', route };
  if (route.httpsRedirect === true && options.httpsPort !== undefined && !facts.encrypted) {
    const location = httpsLocation(facts.host, facts.url, options.httpsPort);
    if (location !== undefined) return { kind: 'redirect', location, app: route.app };
  }
  return { kind: 'forward', route };
}

/** The HTTPS URL of a plain-HTTP request: same host, the HTTPS port, same path (308 keeps the method). */
export function httpsLocation(hostHeader: string | undefined, url: string | undefined, httpsPort: number): string | undefined {
  const host = hostFromHeader(hostHeader);
  if (host === undefined) return undefined;
  return `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${url ?? '/'}`;
}
