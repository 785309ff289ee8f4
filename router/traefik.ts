/**
 * Renders the routing table as Traefik v3 dynamic configuration for the file provider
 * (https://doc.traefik.io/traefik/reference/routing-configuration/http/), used by the production
 * compose stack instead of the embedded proxy.
 *
 * One router and one service per app, and per preview: the router's rule lists every host of
 * that target (`Host(...) || Host(...)`, wildcard custom domains as `HostRegexp`), the service
 * balances over its upstreams. A crashed or idle target keeps its router with a service without
 * servers, so Traefik answers 503 ("no server ready") rather than 404 ("no such site"). An app
 * with an app.json web health check has Traefik probe its servers with it (traefikHealthCheck).
 *
 * With TLS (options.tls), each target also gets a `secure-<name>` router (no app or preview
 * name can produce that prefix) on the secure entry point with `tls: {}`, Traefik picks the certificate by SNI from `tls.certificates` (files that
 * DevFlow writes from its store, traefik-files.ts), apps that ask are redirected with a
 * `redirectScheme` middleware, and a high-priority router sends ACME HTTP-01 challenges to
 * DevFlow's own proxy, which answers them.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Route, RouteHealthCheck, RoutingTable, Upstream } from './table.js';

export interface TraefikOptions {
  /** Entry points the routers listen on. Default `['web']`. */
  entryPoints?: string[];
  tls?: TraefikTlsOptions;
}

export interface TraefikTlsOptions {
  /** Entry points of the HTTPS routers. Default `['websecure']`. */
  entryPoints?: string[];
  certificates: Array<{ certFile: string; keyFile: string }>;
  /** DevFlow's embedded proxy, which answers `/.well-known/acme-challenge/` for pending orders. */
  acmeChallengeUpstream?: Upstream;
}

const REDIRECT_MIDDLEWARE = 'devflow-redirect-https';
const ACME_ROUTER = 'devflow-acme-challenge';

export const TRAEFIK_CONFIG_FILE = 'devflow.yml';

export interface TraefikRouter {
  rule: string;
  service: string;
  entryPoints: string[];
  middlewares?: string[];
  priority?: number;
  tls?: Record<string, never>;
}

/** Traefik's active health check of a load balancer's servers; durations in Go's syntax. */
export interface TraefikHealthCheck {
  path: string;
  interval: string;
  timeout: string;
}

export interface TraefikService {
  loadBalancer: { servers: Array<{ url: string }>; healthCheck?: TraefikHealthCheck };
}

export interface TraefikDynamicConfig {
  http: {
    routers: Record<string, TraefikRouter>;
    services: Record<string, TraefikService>;
    middlewares?: Record<string, { redirectScheme: { scheme: 'https'; permanent: boolean } }>;
  };
  tls?: { certificates: Array<{ certFile: string; keyFile: string }> };
}

/** Host names safe inside a backquoted rule value; anything else is left out, never escaped. */
const SAFE_HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function hostMatcher(host: string): string {
  if (!host.startsWith('*.')) return `Host(\`${host}\`)`;
  const suffix = host.slice(2).replaceAll('.', '\\.');
  // Go regexp syntax (Traefik v3): exactly one label in front, as the embedded proxy matches.
  return `HostRegexp(\`^[a-z0-9-]+\\.${suffix}$\`)`;
}

/** Router and service names: lowercase letters, digits and dashes (Traefik forbids `@`). */
function safeName(raw: string): string {
  const name = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return name === '' ? 'unnamed' : name;
}

/** Seconds between Traefik's probes of each server, unless the app's timeout is longer. */
const HEALTH_INTERVAL_SECONDS = 10;

/**
 * The app.json web check as Traefik's: the same path and timeout, probed every 10 s. Traefik
 * wants the interval longer than the timeout (it would otherwise quietly use timeout + 1 s), so
 * a long timeout stretches it. Traefik, like the release check, takes 2xx and 3xx as healthy;
 * a check's `content` (a string the body must hold) has no Traefik equivalent and is left out.
 */
export function traefikHealthCheck(check: RouteHealthCheck): TraefikHealthCheck {
  const interval = Math.max(HEALTH_INTERVAL_SECONDS, check.timeoutSeconds + 1);
  return { path: check.path, interval: `${interval}s`, timeout: `${check.timeoutSeconds}s` };
}

function upstreamUrl({ host, port }: Upstream): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

interface Target {
  baseName: string;
  hosts: string[];
  route: Route;
}

/** Groups routes by what serves them: an app, or one preview of an app. */
function targetsOf(table: RoutingTable): Target[] {
  const targets = new Map<string, Target>();
  const routes = [...table.routes.values(), ...table.wildcards.map((w) => w.route)];
  for (const route of routes) {
    const key = `${route.app}\u0000${route.preview ?? ''}`;
    const baseName = route.preview === undefined ? `app-${route.app}` : `preview-${route.app}-${route.preview}`;
    const target = targets.get(key) ?? { baseName: safeName(baseName), hosts: [], route };
    if (SAFE_HOST.test(route.host)) target.hosts.push(route.host);
    targets.set(key, target);
  }
  return [...targets.values()].filter((t) => t.hosts.length > 0).sort((a, b) => a.baseName.localeCompare(b.baseName));
}

export function buildTraefikConfig(table: RoutingTable, options: TraefikOptions = {}): TraefikDynamicConfig {
  const entryPoints = options.entryPoints ?? ['web'];
  const routers: Record<string, TraefikRouter> = {};
  const services: Record<string, TraefikService> = {};
  const redirected = new Set<string>();
  for (const target of targetsOf(table)) {
    let name = target.baseName;
    for (let n = 2; name in routers; n++) name = `${target.baseName}-${n}`;
    const serving = target.route.state !== 'crashed';
    routers[name] = {
      rule: target.hosts.map(hostMatcher).sort().join(' || '),
      service: name,
      entryPoints: [...entryPoints],
    };
    const loadBalancer: TraefikService['loadBalancer'] = { servers: serving ? target.route.upstreams.map((u) => ({ url: upstreamUrl(u) })) : [] };
    if (target.route.healthCheck !== undefined) loadBalancer.healthCheck = traefikHealthCheck(target.route.healthCheck);
    services[name] = { loadBalancer };
    if (target.route.httpsRedirect === true) redirected.add(name);
  }
  const config: TraefikDynamicConfig = { http: { routers, services } };
  if (options.tls !== undefined) addTls(config, options.tls, redirected);
  return config;
}

/** The HTTPS twin of every router, redirects for apps that ask, the certificates, the ACME route. */
function addTls(config: TraefikDynamicConfig, tls: TraefikTlsOptions, redirected: ReadonlySet<string>): void {
  const { routers, services } = config.http;
  for (const [name, router] of Object.entries(routers)) {
    routers[`secure-${name}`] = { ...router, entryPoints: [...(tls.entryPoints ?? ['websecure'])], tls: {} };
    if (redirected.has(name)) router.middlewares = [REDIRECT_MIDDLEWARE];
  }
  if (redirected.size > 0) config.http.middlewares = { [REDIRECT_MIDDLEWARE]: { redirectScheme: { scheme: 'https', permanent: true } } };
  if (tls.acmeChallengeUpstream !== undefined) {
    routers[ACME_ROUTER] = {
      rule: 'PathPrefix(`/.well-known/acme-challenge/`)', service: ACME_ROUTER, entryPoints: ['web'], priority: 10_000,
    };
    services[ACME_ROUTER] = { loadBalancer: { servers: [{ url: upstreamUrl(tls.acmeChallengeUpstream) }] } };
  }
  config.tls = { certificates: tls.certificates.map((c) => ({ certFile: c.certFile, keyFile: c.keyFile })) };
}


export function renderTraefikConfig(table: RoutingTable, options?: TraefikOptions): string {
  const header = '# Generated by DevFlow from its routing table. Do not edit: it is rewritten on every change.\n';
  // JSON is YAML (1.2 is a superset of it), which Traefik's file provider reads as it reads any
  // .yml: written so, no YAML library stays loaded in every `devflow up` for it (issue 23).
  return `${header}${JSON.stringify(buildTraefikConfig(table, options), null, 2)}\n`;
}

/**
 * Writes `dir/devflow.yml` atomically: Traefik watches the directory and must never read a
 * half-written file. The temporary name does not end in .yml, so Traefik ignores it.
 */
export async function writeTraefikConfig(dir: string, table: RoutingTable, options?: TraefikOptions): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, TRAEFIK_CONFIG_FILE);
  const temp = path.join(dir, `.${TRAEFIK_CONFIG_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'w', 0o644);
    try {
      await file.writeFile(renderTraefikConfig(table, options));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return target;
}
