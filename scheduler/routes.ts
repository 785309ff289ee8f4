/**
 * Keeps the router in step with the store and the runtime: each app routes to the web
 * instances of its current release that the runtime reports running.
 */
import { listApps } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { RoutingInput } from '../router/index.js';
import type { RouteRefresher } from './deps.js';
import type { RuntimeDriver } from './runtime/types.js';

export class RouteSync implements RouteRefresher {
  private running: Promise<void> = Promise.resolve();

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

  private async refreshNow(): Promise<void> {
    const [apps, instances] = await Promise.all([listApps(this.sql), this.runtime.list()]);
    const input: RoutingInput = {
      domain: this.domain,
      apps: apps.map((app) => ({
        name: app.name,
        state: app.currentRelease === null ? 'idle' : 'running',
        upstreams: instances
          .filter((i) => i.app === app.name && i.release === app.currentRelease && i.processType === 'web')
          .filter((i) => i.state === 'running' && i.upstream !== null)
          .map((i) => i.upstream!),
      })),
    };
    await this.apply(input);
  }
}
