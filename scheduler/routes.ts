/**
 * Keeps the router in step with the store and the runtime: each app routes to the web
 * instances of its current release that the runtime reports running.
 */
import { listApps, type AppRecord } from '../core/store/apps.js';
import { listPreviews } from '../core/store/previews.js';
import type { Sql } from '../core/store/database.js';
import type { RoutingInput } from '../router/index.js';
import type { RouteRefresher } from './deps.js';
import type { RuntimeDriver } from './runtime/types.js';
import { listAllCrashes } from '../core/store/crashes.js';
import { domainsByApp, httpsRedirectApps } from '../core/store/domains.js';
import { currentReleaseHealthchecks } from '../core/store/releases.js';
import type { HealthcheckSpec, Instance } from '../core/types.js';
import { isCrashLoop } from './crash-loop.js';

type RouteState = NonNullable<RoutingInput['apps'][number]['state']>;

/**
 * What a router that probes instances itself (Traefik) checks: the first app.json web check of
 * the current release, the one every new instance passed first.
 */
export function routeHealthCheck(checks: HealthcheckSpec[] | undefined): RoutingInput['apps'][number]['healthCheck'] {
  const first = checks?.[0];
  return first === undefined ? undefined : { path: first.path, timeoutSeconds: first.timeout };
}

/** An app whose web instances are all down and crash-looping shows the router's crashed page. */
export function routeState(currentRelease: number | null, upstreams: number, webCrashLoop: boolean): RouteState {
  if (currentRelease === null) return 'idle';
  return upstreams === 0 && webCrashLoop ? 'crashed' : 'running';
}

export class RouteSync implements RouteRefresher {
  private running: Promise<void> = Promise.resolve();
  /** Instances being scaled away: no new requests reach them while in-flight ones finish. */
  private readonly draining = new Set<string>();

  constructor(
    private readonly sql: Sql,
    private readonly runtime: RuntimeDriver,
    private readonly domain: string,
    private readonly apply: (input: RoutingInput) => Promise<void>,
  ) {}

  /** Refreshes are serialised so an older view never overwrites a newer one. */
  refresh(): Promise<void> {
    this.running = this.running.catch(() => {}).then(() => this.refreshNow());
    return this.running;
  }

  drain(instanceIds: string[]): Promise<void> {
    for (const id of instanceIds) this.draining.add(id);
    return this.refresh();
  }

  undrain(instanceIds: string[]): Promise<void> {
    for (const id of instanceIds) this.draining.delete(id);
    return this.refresh();
  }

  private async refreshNow(): Promise<void> {
    const instances = await this.runtime.list();
    // Instances that are gone no longer need remembering.
    for (const id of this.draining) if (!instances.some((i) => i.id === id)) this.draining.delete(id);
    await this.apply(await readRoutingInput(this.sql, instances, this.domain, this.draining));
  }
}

/**
 * The router's input as the store (apps, current releases, domains, redirects, previews) and the
 * runtime (running web instances of each current release) say it is now. Boot reads it before
 * the router starts, so routes are restored without waiting for health checks or a reconcile.
 */
export async function readRoutingInput(
  sql: Sql, instances: Instance[], domain: string, draining: ReadonlySet<string> = new Set(),
): Promise<RoutingInput> {
  const [apps, crashes] = await Promise.all([listApps(sql), listAllCrashes(sql)]);
  // Custom domains and HTTPS redirects (issue 5) ride along with each app's route.
  const [customDomains, redirected, healthchecks] = await Promise.all([
    domainsByApp(sql), httpsRedirectApps(sql), currentReleaseHealthchecks(sql),
  ]);
  const healthCheck = (app: AppRecord) => {
    const check = routeHealthCheck(healthchecks.get(app.id));
    return check === undefined ? {} : { healthCheck: check };
  };
  const now = new Date();
  // Previews (issue 6) are child apps routed at <slug>.<parent>.<domain>, not at their own name.
  const previews = new Map((await listPreviews(sql)).map((p) => [p.appId, p]));
  const upstreamsOf = (app: AppRecord) => instances
    .filter((i) => i.app === app.name && i.release === app.currentRelease && i.processType === 'web')
    .filter((i) => i.state === 'running' && i.upstream !== null && !draining.has(i.id))
    .map((i) => ({ ...i.upstream!, instance: i.id }));
  return {
    domain,
    previews: apps.filter((app) => previews.has(app.id)).map((app) => ({
      app: previews.get(app.id)!.parent, slug: previews.get(app.id)!.slug, upstreams: upstreamsOf(app), ...healthCheck(app),
    })),
    apps: apps.filter((app) => app.parentId === null).map((app) => {
      const upstreams = upstreamsOf(app);
      const webCrashed = (crashes.get(app.id) ?? []).some((c) => c.processType === 'web' &&
        app.currentRelease !== null && isCrashLoop(c, app.currentRelease, now));
      return {
        name: app.name, state: routeState(app.currentRelease, upstreams.length, webCrashed), upstreams,
        ...(app.currentRelease === null ? {} : { release: app.currentRelease }),
        customDomains: customDomains.get(app.name) ?? [], httpsRedirect: redirected.has(app.name), ...healthCheck(app),
      };
    }),
  };
}
