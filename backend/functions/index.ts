/**
 * backend/functions: Supabase-compatible Edge Functions on Node (README.md here). A function is
 * a TypeScript or JavaScript module whose default export (or `Deno.serve` argument) turns a
 * web-standard Request into a Response. The backend mounts `service` at /functions/v1 beside
 * rest/, auth/ and storage/; the API deploys, lists and reads logs through the other methods.
 */
import path from 'node:path';
import { withContext } from '../../core/errors.js';
import type { Sql } from '../../core/store/database.js';
import type { BackendService } from '../contract.js';
import type { LogSink } from '../../core/types.js';
import { deployFunction, type FunctionUpload } from './deploy.js';
import { LogWriter } from './log-writer.js';
import { WorkerIsolation } from './isolation.js';
import { findRepoFunctions } from './repo.js';
import { functionsService, type FunctionLimits } from './service.js';
import { listFunctions, readLogs, type FunctionLogLine, type FunctionView } from './store.js';
import { WorkerPool } from './worker-pool.js';
import { workerScript } from './worker-script.js';

export type { FunctionLogLine, FunctionView } from './store.js';
export type { FunctionUpload, UploadedFile } from './deploy.js';
export { MAX_UPLOAD_BYTES } from './deploy.js';
export { ENTRY_FILES } from './bundle.js';

export interface FunctionsOptions {
  /** The control plane's pool: functions' rows and logs (migration 023). */
  sql: Sql;
  /** Where bundles live, `<DEVFLOW_HOME>/functions`: one folder per project, function and version. */
  root: string;
  limits?: Partial<FunctionLimits>;
  /** A worker with no request this long is stopped. */
  idleMs?: number;
  /** Workers running at once, all projects together. */
  maxWorkers?: number;
  /**
   * The uid workers run as when DevFlow is root (worker-user.ts), whose packets the firewall
   * judges; undefined runs them as DevFlow's user (DEVFLOW_FUNCTIONS_UID=off).
   */
  uid?: number;
  log?: (line: string) => void;
}

export interface Functions {
  service: BackendService;
  deploy(app: { id: number; name: string }, name: string, upload: FunctionUpload): Promise<FunctionView>;
  list(appId: number): Promise<FunctionView[]>;
  /** Deploys the functions a release's source tree holds (repo.ts), one line each in the deployment's log. */
  deployFromSource(app: { id: number; name: string }, sourceDir: string, log: LogSink): Promise<void>;
  /** The newest `limit` lines of a function's log, oldest first; waits for lines still queued. */
  logs(appId: number, name: string, limit?: number): Promise<FunctionLogLine[]>;
  /** Workers running now. */
  readonly workers: number;
  close(): Promise<void>;
}

/** Supabase's defaults: 150 s of wall clock per request, 256 MB of memory. */
export const DEFAULT_LIMITS: FunctionLimits = { timeLimitMs: 150_000, memoryMb: 256 };
export const DEFAULT_IDLE_MS = 120_000;
export const DEFAULT_MAX_WORKERS = 50;

export function createFunctions(options: FunctionsOptions): Functions {
  const log = options.log ?? (() => {});
  const logs = new LogWriter(options.sql, (err) => log(`backend functions: writing logs failed: ${String(err)}`));
  const pool = new WorkerPool(options.idleMs ?? DEFAULT_IDLE_MS, (key, record) =>
    logs.add({ ...record, appId: key.appId, name: key.name, version: key.version }), options.maxWorkers ?? DEFAULT_MAX_WORKERS);
  const isolation = new WorkerIsolation(options.uid, log);
  let script: Promise<string> | undefined;
  const service = functionsService({
    sql: options.sql, root: options.root, limits: { ...DEFAULT_LIMITS, ...options.limits }, pool, isolation, logs, log,
    script: () => (script ??= workerScript(path.join(options.root, '.runtime')).catch((err: unknown) => {
      script = undefined;
      throw err;
    })),
  });
  return {
    service,
    async deploy(app, name, upload) {
      const deployed = await deployFunction({ sql: options.sql, root: options.root }, app, name, upload);
      return (await listFunctions(options.sql, app.id)).find((f) => f.name === deployed.name)!;
    },
    list: (appId) => listFunctions(options.sql, appId),
    async deployFromSource(app, sourceDir, log) {
      const found = await findRepoFunctions(sourceDir);
      for (const fn of found?.functions ?? []) {
        const deployed = await deployFunction({ sql: options.sql, root: options.root }, app, fn.name, fn.upload)
          .catch((err: unknown) => { throw withContext(`function ${found!.folder}/${fn.name}`, err); });
        const what = deployed.changed ? 'deployed' : 'unchanged';
        log.line(`-----> Function ${fn.name} v${deployed.version} ${what} from ${found!.folder}/${fn.name}${fn.upload.verifyJwt ? '' : ' (verify_jwt = false)'}`);
      }
    },
    async logs(appId, name, limit = 200) {
      await logs.flush();
      return readLogs(options.sql, appId, name, limit);
    },
    get workers() {
      return pool.size;
    },
    async close() {
      await pool.close();
      await isolation.close();
      await logs.close();
    },
  };
}
