/**
 * The `postgres` add-on: extras on the app's own database (core/store/app-databases.ts), which
 * every app has already. `--extensions pg_trgm,hstore` enables extensions the server has
 * (pg_available_extensions), created by DevFlow's superuser inside the app's database, so the
 * app's own role (no superuser) can use them. It binds no variable: DATABASE_URL is there.
 */
import { ConflictError, InvalidInputError } from '../../core/errors.js';
import type { AppDatabases } from '../../core/store/app-databases.js';
import { connect } from '../../core/store/database.js';
import type { AddonApp, AddonDetails, AddonOptions, AddonProvider, BackupResult, Provisioned, StoredAddon } from '../provider.js';
import { missingExtensionsMessage, parseExtensions } from './extensions.js';

export interface PostgresProviderOptions {
  /** The platform PostgreSQL as a superuser (the control plane's URL). */
  serverUrl: string;
  databases: Pick<AppDatabases, 'ensure' | 'find'>;
}

interface PostgresSettings {
  database: string;
  extensions: string[];
}

export class PostgresProvider implements AddonProvider {
  readonly kind = 'postgres';
  readonly previews = 'database' as const;
  readonly summary = "extras on the app's own database: --extensions pg_trgm,hstore enables extensions the server has";
  readonly options = ['extensions'] as const;

  constructor(private readonly deps: PostgresProviderOptions) {}

  async provision(app: AddonApp, options: AddonOptions): Promise<Provisioned> {
    const unknown = Object.keys(options).filter((k) => k !== 'extensions');
    if (unknown.length > 0) throw new InvalidInputError(`the postgres add-on takes --extensions only (got --${unknown.join(', --')})`);
    const extensions = parseExtensions(options.extensions);
    const { database } = await this.deps.databases.ensure(app);
    await this.inDatabase(database, async (sql) => {
      const rows = await sql<{ name: string }[]>`SELECT name FROM pg_available_extensions`;
      const missing = missingExtensionsMessage(extensions, rows.map((r) => r.name));
      if (missing) throw new InvalidInputError(missing);
      for (const name of extensions) await sql.unsafe(`CREATE EXTENSION IF NOT EXISTS "${name}"`);
    });
    return { settings: { database, extensions } satisfies PostgresSettings };
  }

  bindEnv(): Record<string, string> {
    return {};
  }

  describe(addon: StoredAddon): AddonDetails {
    const settings = addon.settings as unknown as PostgresSettings;
    return { plan: 'extensions on the app database', connection: 'DATABASE_URL', info: { database: settings.database, extensions: settings.extensions.join(', ') } };
  }

  async backup(): Promise<BackupResult> {
    throw new InvalidInputError('back up the app database with pg:backups:capture');
  }

  /** Drops the extensions again; one that objects of the app still use is kept, and said so. */
  async deprovision(addon: StoredAddon): Promise<void> {
    const { database, extensions } = addon.settings as unknown as PostgresSettings;
    const credentials = await this.deps.databases.find(addon.app.id);
    if (!credentials) return;
    await this.inDatabase(database, async (sql) => {
      for (const name of extensions) {
        await sql.unsafe(`DROP EXTENSION IF EXISTS "${name}"`).catch((err: unknown) => {
          throw new ConflictError(`extension ${name} is still used by objects in ${addon.app.name}'s database (${String((err as Error).message)}): drop them first`);
        });
      }
    });
  }

  private async inDatabase<T>(database: string, work: (sql: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
    const url = new URL(this.deps.serverUrl);
    url.pathname = `/${encodeURIComponent(database)}`;
    const sql = connect(url.toString(), 1);
    try {
      return await work(sql);
    } finally {
      await sql.end({ timeout: 2 });
    }
  }
}
