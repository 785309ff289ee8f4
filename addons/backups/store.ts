/** The `pg_backups` table (migration 066): one row a backup, numbered per app. */
import type { Sql } from '../../core/store/database.js';
import { backupName, type BackupKind, type BackupState } from './plan.js';

/** What `devflow pg:backups` and the API show. */
export interface BackupView {
  name: string;
  number: number;
  kind: BackupKind;
  state: BackupState;
  bytes: number | null;
  sha256: string | null;
  error: string | null;
  note: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface BackupRow {
  id: number;
  number: number;
  kind: BackupKind;
  state: BackupState;
  source_database: string;
  file: string;
  bytes: string | null;
  sha256: string | null;
  error: string | null;
  note: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export function toView(row: BackupRow): BackupView {
  return {
    name: backupName(row.number), number: row.number, kind: row.kind, state: row.state,
    bytes: row.bytes === null ? null : Number(row.bytes), sha256: row.sha256, error: row.error, note: row.note,
    startedAt: row.started_at.toISOString(), finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/**
 * The next number is taken under a lock of the app's row, so two captures at once (the loop
 * and a user) get distinct numbers.
 */
export async function insertBackup(sql: Sql, appId: number, kind: BackupKind, sourceDatabase: string, fileOf: (number: number) => string, note: string | null): Promise<BackupRow> {
  return sql.begin(async (tx) => {
    await tx`SELECT 1 FROM apps WHERE id = ${appId} FOR UPDATE`;
    const [counted] = await tx<{ next: number }[]>`SELECT coalesce(max(number), 0) + 1 AS next FROM pg_backups WHERE app_id = ${appId}`;
    const next = counted!.next;
    const [row] = await tx<BackupRow[]>`
      INSERT INTO pg_backups (app_id, number, kind, source_database, file, note)
      VALUES (${appId}, ${next}, ${kind}, ${sourceDatabase}, ${fileOf(next)}, ${note})
      RETURNING *`;
    return row!;
  }) as Promise<BackupRow>;
}

export async function finishBackup(sql: Sql, id: number, result: { bytes: number; sha256: string } | { error: string }): Promise<BackupRow> {
  const [row] = 'error' in result
    ? await sql<BackupRow[]>`UPDATE pg_backups SET state = 'failed', error = ${result.error}, finished_at = now() WHERE id = ${id} RETURNING *`
    : await sql<BackupRow[]>`UPDATE pg_backups SET state = 'succeeded', bytes = ${result.bytes}, sha256 = ${result.sha256}, finished_at = now() WHERE id = ${id} RETURNING *`;
  return row!;
}

export async function listBackups(sql: Sql, appId: number): Promise<BackupRow[]> {
  return sql<BackupRow[]>`SELECT * FROM pg_backups WHERE app_id = ${appId} ORDER BY number DESC`;
}

export async function findBackup(sql: Sql, appId: number, number: number): Promise<BackupRow | undefined> {
  const [row] = await sql<BackupRow[]>`SELECT * FROM pg_backups WHERE app_id = ${appId} AND number = ${number}`;
  return row;
}

export async function deleteBackupRow(sql: Sql, id: number): Promise<void> {
  await sql`DELETE FROM pg_backups WHERE id = ${id}`;
}

/** Backups a stopped DevFlow left half-written are failed at start: their files are incomplete. */
export async function failInterruptedBackups(sql: Sql): Promise<BackupRow[]> {
  return sql<BackupRow[]>`
    UPDATE pg_backups SET state = 'failed', error = 'DevFlow stopped while it ran', finished_at = now()
    WHERE state = 'running' RETURNING *`;
}

/** Apps with a database (previews excluded: they are copies) and their newest scheduled backup. */
export async function appsForSchedule(sql: Sql): Promise<{ id: number; name: string; newest: Date | null }[]> {
  return sql<{ id: number; name: string; newest: Date | null }[]>`
    SELECT a.id, a.name, (SELECT max(started_at) FROM pg_backups b WHERE b.app_id = a.id AND b.kind = 'scheduled') AS newest
    FROM apps a JOIN app_databases d ON d.app_id = a.id
    WHERE a.parent_id IS NULL ORDER BY a.id`;
}
