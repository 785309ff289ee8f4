/** What the API needs from the platform; `server/start.ts` provides it. */
import type { Config } from '../core/config.js';
import type { AppRecord } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { LogSink } from '../core/types.js';

export interface AppOperations {
  create(name: string): Promise<AppRecord>;
  destroy(name: string): Promise<void>;
}

export interface ApiDeps {
  sql: Sql;
  config: Config;
  apps: AppOperations;
  followDeployment(deploymentId: number, log: LogSink): Promise<unknown>;
}
