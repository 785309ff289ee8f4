/**
 * The routing table: which host name goes to which app's instances. DESIGN.md, "router/": one
 * table, rendered two ways (the embedded proxy and Traefik's file provider). Pure: no I/O, so
 * both renderers and the scheduler can build and test it with plain data.
 *
 * Hosts: `<app>.<domain>` for every app, `<slug>.<app>.<domain>` for previews, and each custom
 * domain. A custom domain written `*.example.com` is a wildcard for exactly one label, the way a
 * TLS wildcard certificate is. Generated hosts win over custom domains that collide with them,
 * so a user cannot take over another app's URL by claiming it as a custom domain.
 */

export interface Upstream {
  host: string;
  port: number;
  /** The runtime's instance id, named in the router's spans. */
  instance?: string;
}

export type RouteState = 'running' | 'crashed' | 'idle';

/**
 * The check a renderer whose own balancer probes instances may run (Traefik's `healthCheck`): the
 * app's own app.json web health check, the one a release had to pass. Apps without one have
 * none: DevFlow's default readiness check takes any answer below 500, and a probe that takes
 * 4xx as down would empty the pool of an app whose `/` says 404.
 */
export interface RouteHealthCheck {
  path: string;
  timeoutSeconds: number;
}

export interface RoutingInput {
  domain: string;
  apps: Array<{
    name: string; upstreams: Upstream[]; customDomains?: string[]; state?: RouteState; httpsRedirect?: boolean; healthCheck?: RouteHealthCheck;
    /** The app's current release, named in the router's spans. */
    release?: number;
  }>;
  /** Redirect plain HTTP to HTTPS for every app (DEVFLOW_HTTPS_REDIRECT), not only those that ask. */
  httpsRedirectAll?: boolean;
  /** Served at `<slug>.<app>.<domain>`. */
  previews?: Array<{ app: string; slug: string; upstreams: Upstream[]; healthCheck?: RouteHealthCheck }>;
}

export interface Route {
  host: string;
  app: string;
  upstreams: Upstream[];
  state: RouteState;
  /** Set on preview routes: the preview's slug. */
  preview?: string;
  /** Plain-HTTP requests get a 308 to the same URL over HTTPS. */
  httpsRedirect?: boolean;
  healthCheck?: RouteHealthCheck;
  release?: number;
}

export interface RoutingTable {
  domain: string;
  routes: Map<string, Route>;
  /** Sorted longest suffix first, so the most specific wildcard wins. */
  wildcards: Array<{ suffix: string; route: Route }>;
}

/** Lowercases and drops a trailing dot: `MyApp.Localhost.` and `myapp.localhost` are one host. */
export function normalizeHostName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * The host name of a Host header, without its port: `a.localhost:8080` → `a.localhost`,
 * `[::1]:8080` → `[::1]`. Returns undefined for a missing or empty header.
 */
export function hostFromHeader(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) return undefined;
  const trimmed = hostHeader.trim();
  let name = trimmed;
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    name = end === -1 ? trimmed : trimmed.slice(0, end + 1);
  } else {
    const colon = trimmed.indexOf(':');
    if (colon !== -1) name = trimmed.slice(0, colon);
  }
  const normalized = normalizeHostName(name);
  return normalized === '' ? undefined : normalized;
}

/**
 * A route's state as the table records it. `crashed` is kept as given so users see why; otherwise
 * the upstreams decide: none means idle (nothing can answer), some means running.
 */
function routeState(given: RouteState | undefined, upstreams: Upstream[]): RouteState {
  if (given === 'crashed') return 'crashed';
  return upstreams.length === 0 ? 'idle' : 'running';
}

export function buildRoutingTable(input: RoutingInput): RoutingTable {
  const domain = normalizeHostName(input.domain);
  const routes = new Map<string, Route>();
  const wildcards: Array<{ suffix: string; route: Route }> = [];
  const add = (route: Route): void => {
    if (!routes.has(route.host)) routes.set(route.host, route);
  };

  const redirect = (app: { httpsRedirect?: boolean }): { httpsRedirect?: true } =>
    input.httpsRedirectAll === true || app.httpsRedirect === true ? { httpsRedirect: true } : {};
  const redirecting = new Set(input.apps.filter((a) => a.httpsRedirect === true).map((a) => a.name));
  const checked = (target: { healthCheck?: RouteHealthCheck }): { healthCheck?: RouteHealthCheck } =>
    target.healthCheck === undefined ? {} : { healthCheck: { ...target.healthCheck } };
  const released = (app: { release?: number }): { release?: number } => app.release === undefined ? {} : { release: app.release };
  for (const app of input.apps) {
    const state = routeState(app.state, app.upstreams);
    add({ host: `${app.name}.${domain}`, app: app.name, upstreams: [...app.upstreams], state, ...redirect(app), ...checked(app), ...released(app) });
  }
  for (const preview of input.previews ?? []) {
    const host = `${normalizeHostName(preview.slug)}.${preview.app}.${domain}`;
    const state = routeState(undefined, preview.upstreams);
    const owner = { httpsRedirect: redirecting.has(preview.app) };
    add({ host, app: preview.app, upstreams: [...preview.upstreams], state, preview: normalizeHostName(preview.slug), ...redirect(owner), ...checked(preview) });
  }
  for (const app of input.apps) {
    const state = routeState(app.state, app.upstreams);
    for (const raw of app.customDomains ?? []) {
      const name = normalizeHostName(raw);
      const route: Route = { host: name, app: app.name, upstreams: [...app.upstreams], state, ...redirect(app), ...checked(app), ...released(app) };
      if (name.startsWith('*.')) {
        const suffix = name.slice(1);
        if (!wildcards.some((w) => w.suffix === suffix)) wildcards.push({ suffix, route });
      } else if (name !== '') {
        add(route);
      }
    }
  }
  wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  return { domain, routes, wildcards };
}

/**
 * Finds the route for a Host header: exact host first (one Map lookup), then wildcards, which
 * match exactly one more label (`*.example.com` matches `a.example.com`, not `a.b.example.com`).
 */
export function lookupRoute(table: RoutingTable, hostHeader: string | undefined): Route | undefined {
  const host = hostFromHeader(hostHeader);
  if (host === undefined) return undefined;
  const exact = table.routes.get(host);
  if (exact !== undefined) return exact;
  for (const { suffix, route } of table.wildcards) {
    if (host.endsWith(suffix)) {
      const label = host.slice(0, host.length - suffix.length);
      if (label !== '' && !label.includes('.')) return route;
    }
  }
  return undefined;
}

/** An empty table: every host is unknown. The proxy starts with it. */
export function emptyRoutingTable(domain = 'localhost'): RoutingTable {
  return { domain: normalizeHostName(domain), routes: new Map(), wildcards: [] };
}
