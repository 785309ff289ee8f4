/**
 * Point-in-time recovery (issue 21): base backups of the platform PostgreSQL, daily and on demand,
 * kept by retention with the archived WAL they need; and `pg:restore <app> --to <time>`, which
 * recovers a temporary copy of the cluster to that time (recovery.ts), dumps the app's database
 * from it and restores that into a NEW database on the live server. The live database is never
 * touched until the user promotes the restore (the same swap as pg:backups:restore, after a safety
 * backup) or discards it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, DevflowError, NotFoundError } from '../../core/errors.js';
import type { AppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import type { AppDatabases } from '../../core/store/app-databases.js';
import type { Sql } from '../../core/store/database.js';
import type { BackupService } from '../backups/service.js';
import { restoreDatabase, toolError } from '../backups/dump.js';
import { takeBaseBackup } from './basebackup.js';
import {
  baseBackupDue, baseBackupFor, baseBackupLabel, baseBackupsToPrune, earliestRestorable, formatTime, parseTargetTime,
  restoredDatabaseName, restoreName, walToPrune,
} from './plan.js';
import { dumpFromRecovered, startRecoveredServer } from './recovery.js';
import {
  baseBackupView, deleteBaseBackupRow, failInterruptedBaseBackups, failInterruptedRestores, findRestore, finishBaseBackup, insertBaseBackup,
  insertRestore, listBaseBackups, listRestores, restoreView, setRestoreState, summary, type BaseBackupKind, type BaseBackupView, type RestoreRow, type RestoreView,
} from './store.js';

export type { BaseBackupView, RestoreView } from './store.js';

export interface PitrDeps {
  sql: Sql;
  /** The platform PostgreSQL as a superuser. */
  serverUrl: string;
  databases: Pick<AppDatabases, 'find'>;
  backups: Pick<BackupService, 'promote'>;
  home: string;
  /** The real path the server archives WAL to (core/embedded-postgres/wal-archive.ts). */
  walArchive: string;
  /** Where temporary recovery servers go: a folder the server's user can enter (serverDir). */
  workDir: string;
  /** DEVFLOW_PITR_KEEP_DAYS. */
  keepDays: number;
  log: (line: string) => void;
  /** How long a restore waits for the live server to archive the WAL up to now. */
  archiveWaitMs?: number;
}

export interface PitrStatus {
  /** The earliest time a restore can reach, or null before the first base backup. */
  earliest: string | null;
  baseBackups: BaseBackupView[];
}

export class PitrService {
  /** One base backup at a time: a second would only copy the same cluster again. */
  private baseBackupRunning: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: PitrDeps) {}

  async status(): Promise<PitrStatus> {
    const rows = await listBaseBackups(this.deps.sql);
    return { earliest: earliestRestorable(rows.map(summary))?.toISOString() ?? null, baseBackups: rows.map(baseBackupView) };
  }

  /** A base backup now (`devflow pg:basebackup`); resolves when it is written. */
  baseBackup(kind: BaseBackupKind = 'manual'): Promise<BaseBackupView> {
    const next = this.baseBackupRunning.then(() => this.writeBaseBackup(kind));
    this.baseBackupRunning = next.catch(() => {});
    return next;
  }

  /** One turn of the daily schedule: a base backup when the newest is a day old, then retention. */
  async scheduledTick(now: Date): Promise<void> {
    const rows = await listBaseBackups(this.deps.sql);
    const newest = rows.find((r) => r.state !== 'failed');
    if (baseBackupDue(newest?.started_at, now)) {
      const taken = await this.baseBackup('scheduled');
      if (taken.state === 'failed') this.deps.log(`scheduled base backup failed: ${taken.error}`);
    }
    await this.prune(now);
  }

  /** Retention: old base backups go, then the archived WAL that only they needed. */
  async prune(now: Date): Promise<{ baseBackups: string[]; walFiles: number }> {
    const rows = await listBaseBackups(this.deps.sql);
    const pruned = new Set(baseBackupsToPrune(rows.map(summary), now, this.deps.keepDays));
    for (const row of rows.filter((r) => pruned.has(r.id))) {
      await fs.rm(row.dir, { recursive: true, force: true });
      await deleteBaseBackupRow(this.deps.sql, row.id);
    }
    const kept = rows.filter((r) => !pruned.has(r.id) && r.state === 'succeeded' && r.start_wal !== null);
    const oldest = kept.map((r) => r.start_wal!).sort((a, b) => a.slice(8).localeCompare(b.slice(8)))[0];
    let walFiles = 0;
    if (oldest !== undefined) {
      for (const file of walToPrune(await fs.readdir(this.deps.walArchive), oldest)) {
        await fs.rm(path.join(this.deps.walArchive, file), { force: true });
        walFiles += 1;
      }
    }
    if (pruned.size > 0 || walFiles > 0) this.deps.log(`pitr retention: removed ${pruned.size} base backup(s) and ${walFiles} archived WAL file(s) older than ${this.deps.keepDays} days need`);
    return { baseBackups: rows.filter((r) => pruned.has(r.id)).map((r) => r.label), walFiles };
  }

  /** At start: base backups and restores a stopped DevFlow left half-done are failed and cleaned. */
  async failInterrupted(): Promise<void> {
    for (const row of await failInterruptedBaseBackups(this.deps.sql)) await fs.rm(row.dir, { recursive: true, force: true });
    for (const row of await failInterruptedRestores(this.deps.sql)) await this.dropDatabase(row.database);
  }

  async listRestores(appName: AppName): Promise<RestoreView[]> {
    const app = await getApp(this.deps.sql, appName);
    return (await listRestores(this.deps.sql, app.id)).map(restoreView);
  }

  /**
   * Recovers `appName`'s database as it was at `to` into a new database beside the live one.
   * Answers once the new database is filled (state `ready`), or with the reason it failed.
   */
  async restore(appName: AppName, to: string | undefined, now = new Date()): Promise<RestoreView> {
    return (await this.beginRestore(appName, to, now)).done;
  }

  /**
   * Starts a restore and answers as soon as it is recorded (state `running`): what can be refused
   * at once is (a bad or future time, a time before the oldest base backup, no database, WAL not
   * archived). Recovery itself takes minutes for a large cluster, longer than an HTTP client or a
   * proxy in front of the API should hold a request, so it goes on in `done`, which settles with
   * the restore `ready`, or rejects after marking it `failed` with the reason. A DevFlow stopped
   * meanwhile fails it at its next start (failInterrupted).
   */
  async beginRestore(appName: AppName, to: string | undefined, now = new Date()): Promise<{ restore: RestoreView; done: Promise<RestoreView> }> {
    const { sql } = this.deps;
    const target = parseTargetTime(to, now);
    const app = await getApp(sql, appName);
    const credentials = await this.deps.databases.find(app.id);
    if (!credentials) throw new ConflictError(`${appName} has no database yet: it gets one at its first deploy`);
    const baseBackups = await listBaseBackups(sql);
    const chosen = baseBackupFor(baseBackups.map(summary), target);
    const base = baseBackups.find((b) => b.id === chosen.id)!;
    await this.archiveUpToNow();
    const row = await insertRestore(sql, app.id, target, base.label, (n) => restoredDatabaseName(credentials.database, n));
    const done = this.recover(appName, row, base, credentials, target);
    return { restore: restoreView(row), done };
  }

  private async recover(
    appName: AppName, row: RestoreRow, base: { dir: string; label: string }, credentials: { database: string; role: string }, target: Date,
  ): Promise<RestoreView> {
    const { sql, serverUrl } = this.deps;
    const name = `${appName} ${restoreName(row.number)}`;
    const server = new URL(serverUrl);
    try {
      const recovered = await startRecoveredServer({
        baseBackupDir: base.dir, walArchive: this.deps.walArchive, workDir: this.deps.workDir, target,
        user: decodeURIComponent(server.username), password: decodeURIComponent(server.password),
      });
      try {
        const dump = await dumpFromRecovered(recovered, credentials.database).catch((err: unknown) => {
          throw new DevflowError('internal', `${appName}'s database did not exist at ${formatTime(target)} or could not be read: ${toolError(err)}`, { cause: err });
        });
        await this.dropDatabase(row.database);
        await sql.unsafe(`CREATE DATABASE ${ident(row.database)} OWNER ${ident(credentials.role)}`);
        await sql.unsafe(`REVOKE ALL ON DATABASE ${ident(row.database)} FROM PUBLIC`);
        await restoreDatabase(serverUrl, row.database, dump);
      } finally {
        await recovered.stop();
      }
    } catch (err) {
      const reason = err instanceof DevflowError ? err.message : toolError(err);
      this.deps.log(`[${appName}] restore ${restoreName(row.number)} to ${formatTime(target)} failed: ${reason}`);
      await this.dropDatabase(row.database).catch(() => {});
      await setRestoreState(sql, row.id, 'failed', { error: reason });
      throw new DevflowError('internal', `restoring ${appName} to ${formatTime(target)} failed, and ${appName}'s database was not touched: ${reason}`, { cause: err });
    }
    this.deps.log(`[${name}] database recovered to ${formatTime(target)} from base backup ${base.label} into ${row.database}`);
    return restoreView(await setRestoreState(sql, row.id, 'ready'));
  }

  /** The restore's database takes the live one's place, after a pg:backups safety backup of it. */
  async promote(appName: AppName, number: number): Promise<RestoreView> {
    const row = await this.ready(appName, number);
    const safety = await this.deps.backups.promote(appName, row.database, `before promoting restore ${restoreName(number)} (to ${formatTime(row.target_time)})`);
    this.deps.log(`[${appName}] restore ${restoreName(number)} promoted (safety backup ${safety.name})`);
    return restoreView(await setRestoreState(this.deps.sql, row.id, 'promoted', { safetyBackup: safety.name }));
  }

  /** Drops the restore's database; the live one stays as it is. */
  async discard(appName: AppName, number: number): Promise<RestoreView> {
    const row = await this.ready(appName, number);
    await this.dropDatabase(row.database);
    return restoreView(await setRestoreState(this.deps.sql, row.id, 'discarded'));
  }

  /** For app removal (after its --confirm): restored databases not promoted go with it. */
  async removeAll(appName: AppName): Promise<void> {
    const app = await getApp(this.deps.sql, appName).catch(() => undefined);
    if (!app) return;
    for (const row of await listRestores(this.deps.sql, app.id)) if (row.state === 'ready' || row.state === 'running') await this.dropDatabase(row.database);
  }

  private async writeBaseBackup(kind: BaseBackupKind): Promise<BaseBackupView> {
    const startedAt = new Date();
    const label = baseBackupLabel(startedAt);
    const row = await insertBaseBackup(this.deps.sql, label, kind, path.join(this.deps.home, 'basebackups', label), startedAt);
    try {
      const result = await takeBaseBackup(this.deps.serverUrl, row.dir);
      this.deps.log(`base backup ${label} written (${result.bytes} bytes, WAL from ${result.startWal})`);
      // Restores can use it from the moment pg_basebackup finished (at or after the backup's end).
      return baseBackupView(await finishBaseBackup(this.deps.sql, row.id, { ...result, finishedAt: new Date() }));
    } catch (err) {
      const reason = toolError(err);
      await fs.rm(row.dir, { recursive: true, force: true });
      const failed = await finishBaseBackup(this.deps.sql, row.id, { error: reason });
      if (kind === 'scheduled') return baseBackupView(failed);
      throw new DevflowError('internal', `base backup ${label} failed: ${reason}`, { cause: err });
    }
  }

  /**
   * Recovery can only replay archived WAL, and stops at the first commit after the target: so
   * a commit is made now (after the target, which is in the past), its segment is closed, and
   * the restore waits until the archiver has copied it.
   */
  private async archiveUpToNow(): Promise<void> {
    const { sql } = this.deps;
    await sql`SELECT txid_current()`;
    const [switched] = await sql<{ wal: string }[]>`SELECT pg_walfile_name(pg_switch_wal()) AS wal`;
    const wanted = switched!.wal;
    const deadline = Date.now() + (this.deps.archiveWaitMs ?? 60_000);
    for (;;) {
      const [archiver] = await sql<{ last: string | null; failed: string | null; failure: string | null }[]>`
        SELECT last_archived_wal AS last, last_failed_wal AS failed, last_failed_time::text AS failure FROM pg_stat_archiver`;
      const last = archiver?.last?.slice(0, 24);
      if (last && last.slice(8) >= wanted.slice(8)) return;
      if (Date.now() > deadline) {
        const failure = archiver?.failed ? ` (last failure: ${archiver.failed} at ${archiver.failure}; see the server log)` : '';
        throw new ConflictError(`the platform PostgreSQL has not archived its WAL up to now (waiting for ${wanted}, last archived ${last ?? 'none'})${failure}: is archiving on (DEVFLOW_PITR)?`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async ready(appName: AppName, number: number) {
    const app = await getApp(this.deps.sql, appName);
    const row = await findRestore(this.deps.sql, app.id, number);
    if (!row) throw new NotFoundError(`${appName} has no restore ${restoreName(number)}: see devflow pg:restores ${appName}`);
    if (row.state !== 'ready') throw new ConflictError(`restore ${restoreName(number)} of ${appName} is ${row.state}${row.error ? ` (${row.error})` : ''}: only a ready restore can be promoted or discarded`);
    return row;
  }

  private async dropDatabase(database: string): Promise<void> {
    await this.deps.sql.unsafe(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
  }
}

/** Database and role names come from appDatabaseName (letters, digits, `_`, `-`); quoted anyway. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
