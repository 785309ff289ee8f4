/**
 * DATABASE_URL for every process of an app (DESIGN.md "Names and contracts"; issue 4): the
 * app's own database on the platform PostgreSQL (core/store/app-databases.ts), created on the
 * first deploy and kept across releases. The URL's host depends on where the processes run:
 * host processes use the control plane's own host (127.0.0.1 for the embedded server); a
 * container cannot reach the host's 127.0.0.1, so on the docker and swarm runtimes a loopback
 * host becomes the Docker bridge gateway (e.g. 172.17.0.1), where the embedded server also
 * listens (core/embedded-postgres/docker-bridge.ts). A non-loopback server host is used as it is.
 */
import type Docker from 'dockerode';
import { NotFoundError } from '../core/errors.js';
import type { AppName } from '../core/names.js';
import {
  appDatabaseUrl,
  type AppDatabaseCredentials,
  type AppDatabases,
  type DatabaseEndpoint,
} from '../core/store/app-databases.js';
import { engineBridgeAccess } from '../core/embedded-postgres/docker-bridge.js';
import type { RuntimeKind } from '../core/types.js';

/** Variables the platform injects into every process of an app, beside its config vars. */
export interface PlatformEnv {
  forApp(app: { id: number; name: AppName }): Promise<Record<string, string>>;
}

export interface DatabaseSettings {
  url: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function appDatabaseEndpoint(controlUrl: string, runtime: RuntimeKind, bridgeGateway: string | undefined): DatabaseEndpoint {
  const url = new URL(controlUrl);
  const port = url.port === '' ? 5432 : Number(url.port);
  const inContainers = runtime === 'docker' || runtime === 'swarm';
  const host = inContainers && LOOPBACK.has(url.hostname) && bridgeGateway !== undefined ? bridgeGateway : url.hostname;
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port };
}

export class AppDatabaseEnv implements PlatformEnv {
  constructor(
    private readonly databases: AppDatabases,
    readonly endpoint: DatabaseEndpoint,
  ) {}

  async forApp(app: { id: number; name: AppName }): Promise<Record<string, string>> {
    return { DATABASE_URL: appDatabaseUrl(await this.databases.ensure(app), this.endpoint) };
  }

  /** The connection settings apps get, for `GET /apps/{app}/config/database`. */
  async settings(app: { id: number; name: AppName }): Promise<DatabaseSettings> {
    const credentials = await this.databases.find(app.id);
    if (!credentials) {
      throw new NotFoundError(`${app.name} has no database yet: it is created on the first deploy (git push)`);
    }
    return this.describe(credentials);
  }

  async drop(app: AppName): Promise<void> {
    await this.databases.drop(app);
  }

  private describe(c: AppDatabaseCredentials): DatabaseSettings {
    const { host, port } = this.endpoint;
    return { url: appDatabaseUrl(c, this.endpoint), host, port, database: c.database, user: c.role, password: c.password };
  }
}

export async function createAppDatabaseEnv(options: {
  databases: AppDatabases;
  controlUrl: string;
  runtime: RuntimeKind;
  docker: Docker | undefined;
}): Promise<AppDatabaseEnv> {
  const gateway = options.docker && options.runtime !== 'process' ? (await engineBridgeAccess(options.docker)).listen[0] : undefined;
  return new AppDatabaseEnv(options.databases, appDatabaseEndpoint(options.controlUrl, options.runtime, gateway));
}
