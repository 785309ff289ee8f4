/**
 * The addons role's face (addons/README.md; DESIGN.md "addons/"): add-on providers behind one
 * contract (provider.ts), the add-on Redis server DevFlow supervises, one-off runs and cron.
 * The composition root (boot/steps.ts) makes one Addons and hands `service` to the API and
 * `removeAll` to app removal. Nothing heavy starts here: the Redis server starts with the
 * first Redis add-on, or at boot when one exists.
 */
import path from 'node:path';
import type Docker from 'dockerode';
import { engineBridgeAccess } from '../core/embedded-postgres/docker-bridge.js';
import type { AppName } from '../core/names.js';
import type { SecretKey } from '../core/secrets.js';
import type { AppDatabases } from '../core/store/app-databases.js';
import type { Sql } from '../core/store/database.js';
import type { PlatformEnv, RuntimeDriver } from '../scheduler/index.js';
import { PostgresProvider } from './postgres/provider.js';
import type { AddonProvider } from './provider.js';
import { RedisProvider } from './redis/provider.js';
import { Neo4jProvider } from './neo4j/provider.js';
import { VespaProvider } from './vespa/provider.js';
import { ManagedRedisServer } from './redis/server.js';
import { PgBouncerProvider } from './pool/provider.js';
import { ManagedPgBouncer } from './pool/server.js';
import { runPeriodically } from '../core/periodic.js';
import { errorMessage } from '../core/errors.js';
import { CRON_TICK_MS, cronTick } from './cron/loop.js';
import { listCron, type CronJobView } from './cron/service.js';
import { markInterruptedRuns } from './runs/store.js';
import { RunService } from './runs/service.js';
import { AddonService, type ConfigChange } from './service.js';
import { PreviewAddons } from './previews/service.js';
import { BackupService } from './backups/service.js';
import { PitrService } from './pitr/service.js';
import { serverDir } from '../core/embedded-postgres/wal-archive.js';
import { BackupPlaces, DiskBackups } from './backups/files.js';
import { parseS3Url } from '../core/s3-url.js';

export type { AddonProvider, AddonDetails, StoredAddon } from './provider.js';
export { AddonService, SHARE_OPTION, type AddonView, type CreatedAddon } from './service.js';
export { PreviewAddons } from './previews/service.js';
export { RunService } from './runs/service.js';
export { parseRunCommand } from './runs/states.js';
export { parseTerminalSide, type StartedTty } from './runs/tty.js';
export type { RunRecord } from './runs/store.js';
export type { CronJobView } from './cron/service.js';
export { BackupService, type BackupView, type RestoreResult } from './backups/service.js';
export { parseBackupRef } from './backups/plan.js';
export { PitrService, type BaseBackupView, type RestoreView, type PitrStatus } from './pitr/service.js';
export { parseRestoreRef } from './pitr/plan.js';

export interface AddonsDeps {
  sql: Sql;
  secretKey: SecretKey;
  home: string;
  /** The platform PostgreSQL as a superuser (for extensions in app databases). */
  serverUrl: string;
  databases: AppDatabases;
  runtime: RuntimeDriver;
  docker: Docker | undefined;
  /** DATABASE_URL and the rest the platform injects, for one-off runs. */
  platformEnv?: PlatformEnv;
  setConfig(app: AppName, change: ConfigChange, actor: string): Promise<{ release: number | null }>;
  log: (line: string) => void;
  /** How often the cron loop looks for due jobs; 0 starts no loop (tests tick it themselves). */
  cronEveryMs?: number;
  /** DEVFLOW_BACKUPS_KEEP: scheduled pg:backups kept per app. */
  backupsKeep?: number;
  /** How often the backup schedule looks for apps due their daily backup; 0 starts no loop. */
  backupEveryMs?: number;
  /** The real path the platform PostgreSQL archives WAL to; without it, no point-in-time recovery. */
  walArchive?: string;
  /** DEVFLOW_PITR_KEEP_DAYS. */
  pitrKeepDays?: number;
  /** DEVFLOW_BACKUPS_URL: new backups go to this S3-compatible bucket instead of DEVFLOW_HOME/backups. */
  backupsUrl?: string | undefined;
}

/** The daily backups are checked for every 10 minutes: a restarted DevFlow catches up within that. */
const BACKUP_TICK_MS = 10 * 60 * 1000;

export interface Addons {
  service: AddonService;
  runs: RunService;
  backups: BackupService;
  /** Point-in-time recovery, when the server archives WAL (DEVFLOW_PITR). */
  pitr: PitrService | undefined;
  /** A preview's own add-ons and the parent's it is not given (for the scheduler and preview removal). */
  previews: PreviewAddons;
  /** What the API calls. */
  operations: AddonOperations;
  /** For deploys/apps.ts: an app being destroyed loses its add-ons first. */
  removeAll(app: { id: number; name: AppName }): Promise<void>;
  close(): Promise<void>;
}

export async function createAddons(deps: AddonsDeps): Promise<Addons> {
  const { listen, appHost } = await appReach(deps.runtime.kind, deps.docker);
  const redisServer = new ManagedRedisServer({ home: deps.home, listen, log: deps.log });
  const pool = new ManagedPgBouncer({ home: deps.home, listen, server: serverEndpoint(deps.serverUrl), log: deps.log });
  const poolProvider = new PgBouncerProvider({ sql: deps.sql, pool, databases: deps.databases, appHost });
  const providers = new Map<string, AddonProvider>([
    ['redis', new RedisProvider({ server: redisServer, appHost })],
    ['postgres', new PostgresProvider({ serverUrl: deps.serverUrl, databases: deps.databases })],
    ['pgbouncer', poolProvider],
    ['neo4j', new Neo4jProvider()],
    ['vespa', new VespaProvider()],
  ]);
  const service = new AddonService({ sql: deps.sql, secretKey: deps.secretKey, providers, setConfig: deps.setConfig, log: deps.log });
  const [row] = await deps.sql<{ count: number }[]>`SELECT count(*)::int AS count FROM addons WHERE kind = 'redis'`;
  if ((row?.count ?? 0) > 0) await redisServer.ensureStarted();
  // A pool that cannot start leaves the apps on DATABASE_URL working: said, not fatal.
  await poolProvider.restore().catch((err) => deps.log(`the PgBouncer pool did not start: ${errorMessage(err)}`));
  const interrupted = await markInterruptedRuns(deps.sql);
  if (interrupted > 0) deps.log(`marked ${interrupted} run(s) interrupted: DevFlow stopped while they ran`);
  const runDeps = { sql: deps.sql, runtime: deps.runtime, platformEnv: deps.platformEnv, log: deps.log };
  const runs = new RunService(runDeps);
  const everyMs = deps.cronEveryMs ?? CRON_TICK_MS;
  const cron = everyMs > 0
    ? runPeriodically(() => cronTick(runDeps, new Date()).then(() => {}, (err) => deps.log(`cron failed: ${errorMessage(err)}`)), everyMs)
    : undefined;
  const backups = new BackupService({
    sql: deps.sql, serverUrl: deps.serverUrl, databases: deps.databases, home: deps.home, keep: deps.backupsKeep ?? 7, log: deps.log,
    places: await backupPlaces(deps.home, deps.backupsUrl),
  });
  await backups.failInterrupted();
  const backupEveryMs = deps.backupEveryMs ?? BACKUP_TICK_MS;
  const schedule = backupEveryMs > 0
    ? runPeriodically(() => backups.scheduledTick(new Date()).catch((err) => deps.log(`scheduled backups failed: ${errorMessage(err)}`)), backupEveryMs)
    : undefined;
  const pitr = deps.walArchive ? await startPitr(deps, backups, backupEveryMs) : undefined;
  const operations: AddonOperations = {
    list: (app) => service.list(app), create: (...args) => service.create(...args), destroy: (...args) => service.destroy(...args), runs, backups,
    shareWithPreviews: (...args) => service.shareWithPreviews(...args),
    cron: (app) => listCron(deps.sql, app), pitr: pitr?.service,
  };
  return {
    service,
    previews: new PreviewAddons({ sql: deps.sql, secretKey: deps.secretKey, service, providers }),
    runs,
    backups,
    pitr: pitr?.service,
    operations,
    async removeAll(app) {
      await service.removeAll(app);
      await pitr?.service.removeAll(app.name);
      await backups.removeAll(app.name);
    },
    async close() {
      await cron?.stop();
      await schedule?.stop();
      await pitr?.schedule?.stop();
      await redisServer.stop();
      await pool.stop();
    },
  };
}

/** Point-in-time recovery (addons/pitr/) and its daily base backup, checked for as often as the logical ones. */
async function startPitr(deps: AddonsDeps, backups: BackupService, everyMs: number) {
  const walArchive = deps.walArchive!;
  const service = new PitrService({
    sql: deps.sql, serverUrl: deps.serverUrl, databases: deps.databases, backups, home: deps.home, walArchive,
    // Temporary recovery servers run as the archive's owner (the server's user): their folder must be theirs.
    workDir: await serverDir(path.join(deps.home, 'pitr'), walArchive), keepDays: deps.pitrKeepDays ?? 7, log: deps.log,
  });
  await service.failInterrupted();
  const schedule = everyMs > 0
    ? runPeriodically(() => service.scheduledTick(new Date()).catch((err) => deps.log(`scheduled base backup failed: ${errorMessage(err)}`)), everyMs)
    : undefined;
  return { service, schedule };
}

/**
 * Where app processes reach servers DevFlow runs on this host: 127.0.0.1 for host processes,
 * the Docker bridge gateway for containers (as for the embedded PostgreSQL, database-env.ts).
 */
async function appReach(runtime: RuntimeDriver['kind'], docker: Docker | undefined): Promise<{ listen: string[]; appHost: string }> {
  if (runtime === 'process' || docker === undefined) return { listen: [], appHost: '127.0.0.1' };
  const gateway = (await engineBridgeAccess(docker)).listen[0];
  return gateway === undefined ? { listen: [], appHost: '127.0.0.1' } : { listen: [gateway], appHost: gateway };
}

/**
 * The bucket first when DEVFLOW_BACKUPS_URL is set (the S3 client loads only then), the disk
 * always: backups taken before the setting changed are still found where they are.
 */
async function backupPlaces(home: string, backupsUrl: string | undefined): Promise<BackupPlaces> {
  const disk = new DiskBackups(path.join(home, 'backups'));
  if (backupsUrl === undefined) return new BackupPlaces([disk]);
  const { S3Backups } = await import('./backups/s3-files.js');
  return new BackupPlaces([new S3Backups(parseS3Url(backupsUrl, 'DEVFLOW_BACKUPS_URL')), disk]);
}

/** Where the pool (on this host) reaches the platform PostgreSQL: the control plane's own address. */
function serverEndpoint(serverUrl: string): { host: string; port: number } {
  const url = new URL(serverUrl);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? 5432 : Number(url.port) };
}

/** What the API calls (api/routes/addons.ts, runs.ts). */
export type AddonOperations = Pick<AddonService, 'list' | 'create' | 'destroy' | 'shareWithPreviews'> & {
  runs: RunService;
  backups: BackupService;
  cron(app: AppName): Promise<CronJobView[]>;
  pitr: PitrService | undefined;
};
