/** Creating and destroying apps: the store, the git repository, instances and routes together. */
import { parseAppName } from '../core/names.js';
import { createApp, deleteApp, getApp, type AppRecord } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { GitReceiver } from '../receiver/index.js';
import type { RouteRefresher } from '../scheduler/deps.js';
import type { RuntimeDriver } from '../scheduler/runtime/types.js';

export class AppService {
  constructor(
    private readonly sql: Sql,
    private readonly receiver: GitReceiver,
    private readonly runtime: RuntimeDriver,
    private readonly routes: RouteRefresher,
  ) {}

  async create(name: string): Promise<AppRecord> {
    const app = await createApp(this.sql, parseAppName(name));
    await this.receiver.ensureRepo(app.name);
    await this.routes.refresh();
    return app;
  }

  async destroy(name: string): Promise<void> {
    const app = await getApp(this.sql, parseAppName(name));
    await deleteApp(this.sql, app.name);
    const instances = await this.runtime.list(app.name);
    await Promise.all(instances.map((i) => this.runtime.stop(i.id, { graceMs: 5000 })));
    await this.receiver.removeRepo(app.name);
    await this.routes.refresh();
  }
}
