/** Creating and destroying apps: the store, the git repository, instances and routes together. */
import { parseAppName, type AppName } from '../core/names.js';
import { createApp, deleteApp, getApp, type AppRecord } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { GitReceiver } from '../receiver/index.js';
import type { RouteRefresher, RuntimeDriver } from '../scheduler/index.js';

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
  ) {}

  async create(name: string): Promise<AppRecord> {
    const app = await createApp(this.sql, parseAppName(name));
    await this.receiver.ensureRepo(app.name);
    await this.routes.refresh();
    return app;
  }

  async destroy(name: string): Promise<void> {
    const app = await getApp(this.sql, parseAppName(name));
    await this.previews?.removeAll(app);
    await this.addons?.removeAll(app);
    await deleteApp(this.sql, app.name);
    const instances = await this.runtime.list(app.name);
    await Promise.all(instances.map((i) => this.runtime.stop(i.id, { graceMs: 5000 })));
    await this.databases?.drop(app.name);
    await this.receiver.removeRepo(app.name);
    await this.routes.refresh();
  }
}
