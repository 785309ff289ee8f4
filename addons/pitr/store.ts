/** The `pg_basebackups` and `pg_pitr_restores` tables (migration 073). */
import type { Sql } from '../../core/store/database.js';
import { restoreName, type BaseBackupState, type BaseBackupSummary } from './plan.js';

export type BaseBackupKind = 'manual' | 'scheduled';
export type RestoreState = 'running' | 'ready' | 'failed' | 'promoted' | 'discarded';

export interface BaseBackupRow {
  id: number;
  label: string;
  kind: BaseBackupKind;
  state: BaseBackupState;
  dir: string;
  timeline: number | null;
  start_lsn: string | null;
  start_wal: string | null;
  bytes: string | null;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

/** What `devflow pg:basebackups` and the API show. */
export interface BaseBackupView {
  label: string;
  kind: BaseBackupKind;
  state: BaseBackupState;
  bytes: number | null;
  startWal: string | null;
  error: string | null;
  startedAt: string;
  /** From then on, restores can use it. */
  finishedAt: string | null;
}

export function baseBackupView(row: BaseBackupRow): BaseBackupView {
  return {
    label: row.label, kind: row.kind, state: row.state, bytes: row.bytes === null ? null : Number(row.bytes), startWal: row.start_wal,
    error: row.error, startedAt: row.started_at.toISOString(), finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

export function summary(row: BaseBackupRow): BaseBackupSummary {
  return { id: row.id, state: row.state, startedAt: row.started_at, finishedAt: row.finished_at, startWal: row.start_wal };
}

export async function insertBaseBackup(sql: Sql, label: string, kind: BaseBackupKind, dir: string, startedAt: Date): Promise<BaseBackupRow> {
  const [row] = await sql<BaseBackupRow[]>`
    INSERT INTO pg_basebackups (label, kind, dir, started_at) VALUES (${label}, ${kind}, ${dir}, ${startedAt}) RETURNING *`;
  return row!;
}

export async function finishBaseBackup(
  sql: Sql, id: number, result: { timeline: number; startLsn: string; startWal: string; bytes: number; finishedAt: Date } | { error: string },
): Promise<BaseBackupRow> {
  const [row] = 'error' in result
    ? await sql<BaseBackupRow[]>`UPDATE pg_basebackups SET state = 'failed', error = ${result.error}, finished_at = now() WHERE id = ${id} RETURNING *`
    : await sql<BaseBackupRow[]>`
        UPDATE pg_basebackups SET state = 'succeeded', timeline = ${result.timeline}, start_lsn = ${result.startLsn},
          start_wal = ${result.startWal}, bytes = ${result.bytes}, finished_at = ${result.finishedAt}
        WHERE id = ${id} RETURNING *`;
  return row!;
}

export async function listBaseBackups(sql: Sql): Promise<BaseBackupRow[]> {
  return sql<BaseBackupRow[]>`SELECT * FROM pg_basebackups ORDER BY started_at DESC, id DESC`;
}

export async function deleteBaseBackupRow(sql: Sql, id: number): Promise<void> {
  await sql`DELETE FROM pg_basebackups WHERE id = ${id}`;
}

/** Base backups a stopped DevFlow left half-written are failed at start; their folders go. */
export async function failInterruptedBaseBackups(sql: Sql): Promise<BaseBackupRow[]> {
  return sql<BaseBackupRow[]>`
    UPDATE pg_basebackups SET state = 'failed', error = 'DevFlow stopped while it ran', finished_at = now()
    WHERE state = 'running' RETURNING *`;
}

export interface RestoreRow {
  id: number;
  app_id: number;
  number: number;
  target_time: Date;
  base_backup: string;
  database: string;
  state: RestoreState;
  error: string | null;
  safety_backup: string | null;
  started_at: Date;
  finished_at: Date | null;
}

/** What `devflow pg:restores` and the API show. */
export interface RestoreView {
  name: string;
  number: number;
  /** The time the database was recovered to. */
  to: string;
  baseBackup: string;
  /** The new database on the platform server that holds the recovered data. */
  database: string;
  state: RestoreState;
  error: string | null;
  /** After a promote: the pg:backups backup of the data the restore replaced. */
  safetyBackup: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export function restoreView(row: RestoreRow): RestoreView {
  return {
    name: restoreName(row.number), number: row.number, to: row.target_time.toISOString(), baseBackup: row.base_backup, database: row.database,
    state: row.state, error: row.error, safetyBackup: row.safety_backup, startedAt: row.started_at.toISOString(), finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** Numbered per app under a lock of the app's row, so two restores at once get distinct numbers. */
export async function insertRestore(
  sql: Sql, appId: number, target: Date, baseBackup: string, databaseOf: (number: number) => string,
): Promise<RestoreRow> {
  return sql.begin(async (tx) => {
    await tx`SELECT 1 FROM apps WHERE id = ${appId} FOR UPDATE`;
    const [counted] = await tx<{ next: number }[]>`SELECT coalesce(max(number), 0) + 1 AS next FROM pg_pitr_restores WHERE app_id = ${appId}`;
    const next = counted!.next;
    const [row] = await tx<RestoreRow[]>`
      INSERT INTO pg_pitr_restores (app_id, number, target_time, base_backup, database)
      VALUES (${appId}, ${next}, ${target}, ${baseBackup}, ${databaseOf(next)}) RETURNING *`;
    return row!;
  }) as Promise<RestoreRow>;
}

export async function setRestoreState(
  sql: Sql, id: number, state: Exclude<RestoreState, 'running'>, detail: { error?: string; safetyBackup?: string } = {},
): Promise<RestoreRow> {
  const [row] = await sql<RestoreRow[]>`
    UPDATE pg_pitr_restores SET state = ${state}, error = ${detail.error ?? null}, safety_backup = coalesce(${detail.safetyBackup ?? null}, safety_backup),
      finished_at = now()
    WHERE id = ${id} RETURNING *`;
  return row!;
}

export async function listRestores(sql: Sql, appId: number): Promise<RestoreRow[]> {
  return sql<RestoreRow[]>`SELECT * FROM pg_pitr_restores WHERE app_id = ${appId} ORDER BY number DESC`;
}

export async function findRestore(sql: Sql, appId: number, number: number): Promise<RestoreRow | undefined> {
  const [row] = await sql<RestoreRow[]>`SELECT * FROM pg_pitr_restores WHERE app_id = ${appId} AND number = ${number}`;
  return row;
}

/** Restores a stopped DevFlow left running are failed at start (their databases are dropped by the caller). */
export async function failInterruptedRestores(sql: Sql): Promise<RestoreRow[]> {
  return sql<RestoreRow[]>`
    UPDATE pg_pitr_restores SET state = 'failed', error = 'DevFlow stopped while it ran', finished_at = now()
    WHERE state = 'running' RETURNING *`;
}
