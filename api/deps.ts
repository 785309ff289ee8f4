/** What the API needs from the platform; `boot/start.ts` provides it. */
import type { AddonOperations } from '../addons/index.js';
import type { AccountMailer } from '../accounts/index.js';
import type { BackendOperations } from '../backend/index.js';
import type { TelemetryOperations } from '../telemetry/index.js';
import type { Config } from '../core/config.js';
import type { AppRecord } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { EventBus } from '../core/events.js';
import type { AppName } from '../core/names.js';
import type { Deployment, LogSink } from '../core/types.js';
import type { DatabaseSettings, ReleaseOperations } from '../scheduler/index.js';
import type { DeployRequest } from '../deploys/index.js';

export interface AppOperations {
  create(name: string): Promise<AppRecord>;
  destroy(name: string): Promise<void>;
}

export interface ApiDeps {
  sql: Sql;
  config: Config;
  apps: AppOperations;
  followDeployment(deploymentId: number, log: LogSink): Promise<unknown>;
  /** Live events for /api/v1/events (issue 7). */
  bus: EventBus;
  /** Queues a deployment of a ref already in the app's repository (issue 7). */
  deploy(app: AppName, request: DeployRequest, actor: string): Promise<Deployment>;
  /** Config vars, rollback, formation and ps (issue 4, scheduler/release-manager.ts). */
  releases: ReleaseOperations;
  /** Each app's own database (issue 4, DATABASE_URL); absent when the platform has none. */
  appDatabases?: { settings(app: { id: number; name: AppName }): Promise<DatabaseSettings> };
  /** Tells the router a domain or redirect changed: routes and certificates follow (issue 5). */
  domainsChanged?: () => Promise<void>;
  /** Preview environments (issue 6, deploys/previews.ts). */
  previews: PreviewOperations;
  /** The app backend (issue 16, backend/index.ts); absent when this DevFlow has none. */
  backend?: BackendOperations;
  /** Telemetry (issue 18, telemetry/index.ts): ingest tokens, traces; absent when this DevFlow has none. */
  telemetry?: TelemetryOperations;
  /** Deploys from a git host (issue 22, deploys/githost/). */
  git?: GitHostOperations;
  /** Add-ons, one-off runs and cron (issue 21, addons/index.ts); absent when this DevFlow has none. */
  addons?: AddonOperations;
  /** Account mails: invitations (issue 19, accounts/mail.ts); absent when this DevFlow sends none. */
  mailer?: AccountMailer;
}

export interface GitHostOperations {
  connect(app: string, input: { url: string; branch?: string; baseDir?: string; provider?: string; apiUrl?: string; token?: string; deployKey?: boolean }): Promise<unknown>;
  disconnect(app: string): Promise<void>;
  info(app: string): Promise<unknown>;
  webhook(app: string, rotate: boolean): Promise<{ url: string; secret: string }>;
  /** Fetches the deploy branch's head from the host and deploys it, whatever it touches. */
  deployHead(app: string, actor: string): Promise<Deployment>;
  /** Add-ons, one-off runs and cron (issue 21, addons/index.ts); absent when this DevFlow has none. */
  addons?: AddonOperations;
  /** Account mails: invitations (issue 19, accounts/mail.ts); absent when this DevFlow sends none. */
  mailer?: AccountMailer;
}

export interface PreviewOperations {
  list(app: string): Promise<unknown[]>;
  remove(app: string, slug: string): Promise<void>;
  webhook(app: string, rotate: boolean): Promise<{ url: string; secret: string }>;
}
