/** What the scheduler needs from the rest of the platform, passed in explicitly. */
import type Docker from 'dockerode';
import type { Config } from '../core/config.js';
import type { EventBus } from '../core/events.js';
import type { Sql } from '../core/store/database.js';
import type { AppRecord } from '../core/store/apps.js';
import type { LogSink } from '../core/types.js';
import type { PlatformEnv } from './database-env.js';
import type { PreviewAddonHook } from './previews/app-context.js';
import type { HealthCheck } from './health.js';
import type { RuntimeDriver } from './runtime/types.js';

export interface RouteRefresher {
  refresh(): Promise<void>;
  /** Stops routing new requests to these instances (they are about to stop) and refreshes. */
  drain?(instanceIds: string[]): Promise<void>;
  /**
   * Routes to these instances again. After a scale-down, an instance that was drained but is
   * still running (Swarm stops a task of its own choosing) must not stay out of the routes.
   */
  undrain?(instanceIds: string[]): Promise<void>;
}

export interface SchedulerDeps {
  config: Config;
  sql: Sql;
  bus: EventBus;
  runtime: RuntimeDriver;
  docker: Docker | undefined;
  routes: RouteRefresher;
  healthCheck: HealthCheck;
  /** How long old instances keep serving in-flight requests after routes moved away. */
  drainMs: number;
  /** Grace between SIGTERM and SIGKILL when stopping an instance. */
  stopGraceMs: number;
  /** DATABASE_URL and other platform-injected variables (database-env.ts); none when absent. */
  platformEnv?: PlatformEnv;
  /** Builds of this many newest releases are kept (DEVFLOW_KEEP_RELEASES, default 10). */
  keepReleases?: number;
  /** The release phase is killed after this long (DEVFLOW_RELEASE_TIMEOUT, default 300 s). */
  releaseTimeoutMs?: number;
  /** A build is stopped after this long (DEVFLOW_BUILD_TIMEOUT, default 30 min; build-deadline.ts). */
  buildTimeoutMs?: number;
  /** Aborts when DevFlow is stopping: a running build is stopped, so the stop need not wait for it. */
  stopping?: AbortSignal;
  /** Work done with a deployment's source tree once it is built, before it is released. */
  sourceHook?: SourceHook;
  /**
   * Asked before a deployment builds (billing's build-minutes quota, issue 20): a `forbidden`
   * DevflowError fails the deployment with its message and nothing is built or run.
   */
  beforeBuild?(app: AppRecord): Promise<void>;
  /**
   * A preview's add-ons (addons/previews/): made or withheld before it builds, so a preview
   * never writes into the parent's Redis or external servers. Without it, a preview inherits
   * every parent var but DATABASE_POOL_URL.
   */
  previewAddons?: PreviewAddonHook;
}

/** The app backend's hook (backend/index.ts): it deploys the functions a pushed repo holds. */
export interface SourceHook {
  beforeRelease(app: AppRecord, sourceDir: string, log: LogSink): Promise<void>;
}
