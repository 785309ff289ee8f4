/** The SQL editor's history (migration 046): the newest queries of one person on one app. */
import type { Sql } from '../../core/store/database.js';

export const HISTORY_KEPT = 50;

export interface HistoryEntry {
  sql: string;
  ok: boolean;
  at: Date;
}

export async function recordQuery(sql: Sql, entry: { appId: number; actor: string; sql: string; ok: boolean }): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`INSERT INTO studio_queries (app_id, actor, sql, ok) VALUES (${entry.appId}, ${entry.actor}, ${entry.sql}, ${entry.ok})`;
    await tx`DELETE FROM studio_queries WHERE app_id = ${entry.appId} AND actor = ${entry.actor}
      AND id NOT IN (SELECT id FROM studio_queries WHERE app_id = ${entry.appId} AND actor = ${entry.actor} ORDER BY id DESC LIMIT ${HISTORY_KEPT})`;
  });
}

export async function queryHistory(sql: Sql, appId: number, actor: string): Promise<HistoryEntry[]> {
  return sql<HistoryEntry[]>`SELECT sql, ok, at FROM studio_queries WHERE app_id = ${appId} AND actor = ${actor} ORDER BY id DESC LIMIT ${HISTORY_KEPT}`;
}
