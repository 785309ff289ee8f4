/** Creating and destroying apps: the store, the git repository, instances and routes together. */
import { DevflowError, errorMessage } from '../core/errors.js';
import { withAppLock } from '../core/locks.js';
import { parseAppName, type AppName } from '../core/names.js';
import { createApp, deleteApp, getApp, type AppRecord } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { GitReceiver } from '../receiver/index.js';
import { cancelInProgress, type CancelDeps, type RouteRefresher, type RuntimeDriver } from '../scheduler/index.js';

export class AppService {
  constructor(
    private readonly sql: Sql,
    private readonly receiver: GitReceiver,
    private readonly runtime: RuntimeDriver,
    private readonly routes: RouteRefresher,
    /** The app's own database and role (scheduler/database-env.ts), dropped with the app. */
    private readonly databases?: { drop(app: AppName): Promise<void> },
    /** Previews go first: each owns instances, routes and a database of its own. */
    private readonly previews?: { removeAll(parent: { id: number }): Promise<void> },
    /** Add-ons (addons/index.ts) are deprovisioned while the app's row still names them. */
    private readonly addons?: { removeAll(app: { id: number; name: AppName }): Promise<void> },
    /** Its deployments in progress are cancelled first (scheduler/cancel.ts). */
    private readonly deployments?: CancelDeps,
  ) {}

  async create(name: string): Promise<AppRecord> {
    const app = await createApp(this.sql, parseAppName(name));
    await this.receiver.ensureRepo(app.name);
    await this.routes.refresh();
    return app;
  }

  async destroy(name: string): Promise<void> {
    const app = await getApp(this.sql, parseAppName(name));
    // A deployment in progress would start instances of an app that is going: a queued or
    // building one is cancelled (its push is told why); a release finishes first (the lock).
    if (this.deployments) await cancelInProgress(this.deployments, app, `cancelled: ${app.name} is being destroyed (devflow apps:destroy)`);
    await this.previews?.removeAll(app);
    await this.addons?.removeAll(app);
    await withAppLock(this.sql, app.id, async () => {
      // The instances stop while the app's record still names them: should a stop fail, the
      // app is kept, and apps:destroy can be run again.
      const instances = await this.runtime.list(app.name);
      const stops = await Promise.allSettled(instances.map((i) => this.runtime.stop(i.id, { graceMs: 5000 })));
      const failed = stops.flatMap((s, i) => (s.status === 'rejected' ? [`${instances[i]!.id} (${errorMessage(s.reason)})`] : []));
      if (failed.length > 0) {
        throw new DevflowError('runtime_unavailable', `could not stop ${failed.join(', ')}; ${app.name} is kept: run apps:destroy again once the runtime answers`);
      }
      await this.runtime.dropPreparedStarts?.(app.name);
      await deleteApp(this.sql, app.name);
    });
    await this.databases?.drop(app.name);
    await this.receiver.removeRepo(app.name);
    await this.routes.refresh();
  }
}
