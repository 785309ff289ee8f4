/**
 * The `pgbouncer` add-on (issue 21, "Pooling"): the app's own database behind the PgBouncer pool
 * DevFlow runs (server.ts), in transaction mode. Apps get DATABASE_POOL_URL: their own role and
 * password, at the pool's address. Each app logs in to the pool as its own role, and the pool
 * logs in to the server as that same role, so one app's credentials reach no other database
 * (the server refuses the role there, and the pool lists only pooled apps' databases).
 */
import { InvalidInputError } from '../../core/errors.js';
import type { AppDatabases } from '../../core/store/app-databases.js';
import type { Sql } from '../../core/store/database.js';
import { maskUrl, type AddonApp, type AddonDetails, type AddonOptions, type AddonProvider, type BackupResult, type Provisioned, type StoredAddon } from '../provider.js';
import { poolUrl, type PoolMember } from './plan.js';
import type { ManagedPgBouncer } from './server.js';

export interface PoolProviderOptions {
  sql: Sql;
  pool: ManagedPgBouncer;
  databases: Pick<AppDatabases, 'ensure' | 'find'>;
  /** The host apps' processes reach the pool at. */
  appHost: string;
}

interface PoolAddonSettings {
  database: string;
  role: string;
  port: number;
}

export class PgBouncerProvider implements AddonProvider {
  readonly kind = 'pgbouncer';
  readonly previews = 'database' as const;
  readonly summary = "PgBouncer in transaction mode in front of the app's database: DATABASE_POOL_URL, the app's own role";
  readonly options = [] as const;
  /**
   * Apps this process pooled or unpooled, over what the `addons` rows say: provision runs before
   * its row is written and deprovision before its row goes, and a change made meanwhile for
   * another app must neither drop the one nor keep the other.
   */
  private readonly changed = new Map<number, boolean>();

  constructor(private readonly deps: PoolProviderOptions) {}

  async provision(app: AddonApp, options: AddonOptions): Promise<Provisioned> {
    const unknown = Object.keys(options);
    if (unknown.length > 0) throw new InvalidInputError(`the pgbouncer add-on takes no options (got --${unknown.join(', --')})`);
    const credentials = await this.deps.databases.ensure(app);
    this.changed.set(app.id, true);
    const { port } = await this.deps.pool.apply(await this.members());
    const settings: PoolAddonSettings = { database: credentials.database, role: credentials.role, port };
    return { settings: { ...settings }, secret: credentials.password };
  }

  bindEnv(addon: StoredAddon): Record<string, string> {
    return { DATABASE_POOL_URL: this.url(addon, addon.secret ?? '') };
  }

  describe(addon: StoredAddon): AddonDetails {
    const { database } = addon.settings as unknown as PoolAddonSettings;
    return {
      plan: 'PgBouncer, transaction mode, shared by pooled apps',
      connection: maskUrl(this.url(addon, addon.secret ?? '')),
      info: { mode: 'transaction', database },
    };
  }

  async backup(): Promise<BackupResult> {
    throw new InvalidInputError('the pool holds no data: back up the app database with pg:backups:capture');
  }

  async deprovision(addon: StoredAddon): Promise<void> {
    this.changed.set(addon.app.id, false);
    await this.deps.pool.apply(await this.members());
  }

  /** At boot, when any app is pooled: starts the pool with every pooled app. */
  async restore(): Promise<void> {
    const members = await this.members();
    if (members.length > 0) await this.deps.pool.apply(members);
  }

  private async members(): Promise<PoolMember[]> {
    const rows = await this.deps.sql<{ app_id: number }[]>`SELECT app_id FROM addons WHERE kind = ${this.kind}`;
    const ids = new Set(rows.map((r) => r.app_id));
    for (const [id, pooled] of this.changed) {
      if (pooled) ids.add(id);
      else ids.delete(id);
    }
    const members: PoolMember[] = [];
    for (const id of ids) {
      const credentials = await this.deps.databases.find(id);
      if (credentials) members.push(credentials);
    }
    return members;
  }

  private url(addon: StoredAddon, password: string): string {
    const { database, role, port } = addon.settings as unknown as PoolAddonSettings;
    return poolUrl({ database, role, password }, this.deps.appHost, port);
  }
}
