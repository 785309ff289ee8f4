/**
 * `pg:backups` (issue 21): logical backups of an app's database, taken on demand and daily by
 * themselves, kept under DEVFLOW_HOME/backups/<app>/ or in an S3-compatible bucket
 * (DEVFLOW_BACKUPS_URL; files.ts), and restored into the app (or another).
 *
 * A restore never edits the live database in place: the backup is restored into a new,
 * empty database first (one transaction; a failure leaves the live one untouched), a safety
 * backup of the live database is taken, and only then does the new database take the live
 * one's name. The app's sessions are ended by that swap; its processes reconnect to the
 * restored data, as after Heroku's `pg:backups:restore`.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ConflictError, DevflowError, NotFoundError, errorMessage } from '../../core/errors.js';
import { withAppLock } from '../../core/locks.js';
import type { AppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { releaseReplicationSlots, type AppDatabases } from '../../core/store/app-databases.js';
import type { Sql } from '../../core/store/database.js';
import { giveObjectsTo } from '../../core/store/pg-tools.js';
import { dumpDatabase, restoreDatabase, toolError } from './dump.js';
import { BackupPlaces, DiskBackups } from './files.js';
import { backupName, backupsToPrune, restoringDatabaseName, scheduledBackupDue, type BackupKind } from './plan.js';
import { appsForSchedule, deleteBackupRow, failInterruptedBackups, findBackup, finishBackup, insertBackup, listBackups, toView, type BackupRow, type BackupView } from './store.js';

export type { BackupView } from './store.js';

export interface BackupDeps {
  sql: Sql;
  /** The platform PostgreSQL as a superuser. */
  serverUrl: string;
  databases: Pick<AppDatabases, 'find' | 'ensure'>;
  home: string;
  /** DEVFLOW_BACKUPS_KEEP: scheduled backups kept per app. */
  keep: number;
  log: (line: string) => void;
  /** Where backups go and are found; by default only DEVFLOW_HOME/backups. */
  places?: BackupPlaces;
}

export interface RestoreResult {
  restored: BackupView;
  into: string;
  /** The backup of the target's data taken just before it was replaced. */
  safety: BackupView;
}

export class BackupService {
  private readonly places: BackupPlaces;

  constructor(private readonly deps: BackupDeps) {
    this.places = deps.places ?? new BackupPlaces([new DiskBackups(path.join(deps.home, 'backups'))]);
  }

  async list(appName: AppName): Promise<BackupView[]> {
    const app = await getApp(this.deps.sql, appName);
    return (await listBackups(this.deps.sql, app.id)).map(toView);
  }

  /** A backup now; resolves when it is written (or failed, with pg_dump's reason). */
  async capture(appName: AppName, kind: BackupKind = 'manual', note: string | null = null): Promise<BackupView> {
    const app = await getApp(this.deps.sql, appName);
    const credentials = await this.deps.databases.find(app.id);
    if (!credentials) throw new ConflictError(`${appName} has no database yet: it gets one at its first deploy`);
    const place = this.places.current;
    const row = await insertBackup(this.deps.sql, app.id, kind, credentials.database, (n) => place.locate(appName, backupName(n)), note);
    try {
      const result = await dumpDatabase(this.deps.serverUrl, credentials.database, (body) => place.write(row.file, body));
      return toView(await finishBackup(this.deps.sql, row.id, result));
    } catch (err) {
      const reason = toolError(err);
      this.deps.log(`[${appName}] backup ${backupName(row.number)} failed: ${reason}`);
      await place.remove(row.file).catch(() => {});
      const failed = await finishBackup(this.deps.sql, row.id, { error: reason });
      if (kind === 'scheduled') return toView(failed);
      throw new DevflowError('internal', `backup ${backupName(row.number)} of ${appName} failed: ${reason}`, { cause: err });
    }
  }

  /** The backup's bytes for a download; the route sends its checksum (X-Checksum-Sha256) for the client to check. */
  async download(appName: AppName, number: number): Promise<{ backup: BackupView; body: Readable }> {
    const app = await getApp(this.deps.sql, appName);
    const row = await this.usable(appName, await findBackup(this.deps.sql, app.id, number), number);
    return { backup: toView(row), body: await this.places.of(row.file).read(row.file) };
  }

  async remove(appName: AppName, number: number): Promise<BackupView> {
    const app = await getApp(this.deps.sql, appName);
    const row = await findBackup(this.deps.sql, app.id, number);
    if (!row) throw this.missing(appName, number);
    if (row.state === 'running') throw new ConflictError(`backup ${backupName(number)} is still being written`);
    await this.places.of(row.file).remove(row.file);
    await deleteBackupRow(this.deps.sql, row.id);
    return toView(row);
  }

  /**
   * Restores backup `number` of `appName` into `target` (the same app by default), under the
   * target's app lock so no deploy creates or reads its database meanwhile.
   */
  async restore(appName: AppName, number: number, targetName: AppName = appName): Promise<RestoreResult> {
    const { sql } = this.deps;
    const app = await getApp(sql, appName);
    const row = await this.usable(appName, await findBackup(sql, app.id, number), number);
    const target = await getApp(sql, targetName);
    // The bytes checked are the bytes restored: a bucket's object is downloaded once, then both.
    const copy = await this.places.of(row.file).local(row.file, path.join(this.deps.home, 'backups', '.restoring'));
    try {
      if (copy.sha256 !== row.sha256) {
        throw new ConflictError(`backup ${backupName(number)} of ${appName} does not match its checksum (the file changed after it was written); restore another backup`);
      }
      return await this.restoreFile(row, copy.file, appName, target);
    } finally {
      await copy.release();
    }
  }

  /** Into a new database first, then the safety backup, then the swap (the header says why). */
  private restoreFile(row: BackupRow, file: string, appName: AppName, target: { id: number; name: string }): Promise<RestoreResult> {
    const { sql, serverUrl } = this.deps;
    const { number } = row;
    const targetName = target.name as AppName;
    return withAppLock(sql, target.id, async () => {
      const live = await this.deps.databases.ensure({ id: target.id, name: targetName });
      const restoring = restoringDatabaseName(live.database);
      await sql.unsafe(`DROP DATABASE IF EXISTS ${ident(restoring)} WITH (FORCE)`);
      await sql.unsafe(`CREATE DATABASE ${ident(restoring)} OWNER ${ident(live.role)}`);
      await sql.unsafe(`REVOKE ALL ON DATABASE ${ident(restoring)} FROM PUBLIC`);
      try {
        await restoreDatabase(serverUrl, restoring, file);
        const [source] = await sql<{ role: string }[]>`SELECT role FROM app_databases WHERE database = ${row.source_database}`;
        // A backup of another app's database keeps that app's role as owner of its objects.
        const sourceRole = source?.role ?? row.source_database;
        if (sourceRole !== live.role) await giveObjectsTo(serverUrl, restoring, sourceRole, live.role);
      } catch (err) {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${ident(restoring)} WITH (FORCE)`);
        throw new DevflowError('internal', `restoring ${backupName(number)} into ${targetName} failed, and ${targetName}'s database was not touched: ${toolError(err)}`, { cause: err });
      }
      const safety = await this.swapIn(targetName, live.database, restoring, `before restoring ${appName} ${backupName(number)}`);
      this.deps.log(`[${targetName}] database restored from ${appName} ${backupName(number)} (safety backup ${safety.name})`);
      return { restored: toView(row), into: targetName, safety };
    });
  }

  /**
   * Puts `replacement`, a filled database on the same server (a point-in-time restore,
   * addons/pitr), in place of `targetName`'s database, after a safety backup of the data it
   * replaces; `replacement` takes the live database's name. Returns the safety backup.
   */
  async promote(targetName: AppName, replacement: string, note: string): Promise<BackupView> {
    const target = await getApp(this.deps.sql, targetName);
    return withAppLock(this.deps.sql, target.id, async () => {
      const live = await this.deps.databases.ensure({ id: target.id, name: target.name as AppName });
      return this.swapIn(targetName, live.database, replacement, note);
    });
  }

  /** The swap both restores end with, under the target's app lock: safety backup, then rename. */
  private async swapIn(targetName: AppName, live: string, replacement: string, note: string): Promise<BackupView> {
    const { sql } = this.deps;
    const safety = await this.capture(targetName, 'safety', note);
    await releaseReplicationSlots(sql, live);
    await sql.unsafe(`DROP DATABASE ${ident(live)} WITH (FORCE)`);
    await sql.unsafe(`ALTER DATABASE ${ident(replacement)} RENAME TO ${ident(live)}`);
    return safety;
  }

  /** One turn of the daily schedule: back up each app whose newest scheduled backup is a day old, then prune. */
  async scheduledTick(now: Date): Promise<void> {
    for (const app of await appsForSchedule(this.deps.sql)) {
      try {
        if (scheduledBackupDue(app.newest ?? undefined, now)) await this.capture(app.name as AppName, 'scheduled');
        await this.prune(app.id, app.name);
      } catch (err) {
        this.deps.log(`[${app.name}] scheduled backup failed: ${errorMessage(err)}`);
      }
    }
  }

  /** At start: backups a stopped DevFlow left half-written are failed, and their partial files go. */
  async failInterrupted(): Promise<void> {
    for (const row of await failInterruptedBackups(this.deps.sql)) {
      await Promise.resolve().then(() => this.places.of(row.file).remove(row.file)).catch((err) => this.deps.log(`could not remove ${row.file}: ${errorMessage(err)}`));
    }
  }

  /** For app removal (after its --confirm): its backup files go with it (rows cascade). */
  async removeAll(appName: AppName): Promise<void> {
    await this.places.removeApp(appName);
  }

  private async prune(appId: number, appName: string): Promise<void> {
    const rows = await listBackups(this.deps.sql, appId);
    for (const number of backupsToPrune(rows, this.deps.keep)) {
      const row = rows.find((r) => r.number === number)!;
      await this.places.of(row.file).remove(row.file);
      await deleteBackupRow(this.deps.sql, row.id);
      this.deps.log(`[${appName}] backup ${backupName(number)} removed: ${this.deps.keep} newer scheduled backups are kept`);
    }
  }

  private async usable(appName: AppName, row: BackupRow | undefined, number: number): Promise<BackupRow> {
    if (!row) throw this.missing(appName, number);
    if (row.state !== 'succeeded') throw new ConflictError(`backup ${backupName(number)} of ${appName} ${row.state === 'running' ? 'is still being written' : `failed (${row.error}) and cannot be used`}`);
    return row;
  }

  private missing(appName: AppName, number: number): NotFoundError {
    return new NotFoundError(`${appName} has no backup ${backupName(number)}: see devflow pg:backups ${appName}`);
  }
}

/** Database names come from appDatabaseName (letters, digits, `_`, `-`); quoted anyway. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
