/**
 * Runtime logs of app instances, kept in the store so they outlive the instance, redeploys and
 * DevFlow restarts; bounded by age and total size (`pruneRuntimeLogs`). Also the collector's
 * read position per instance, so a restarted collector neither repeats nor skips lines.
 */
import type { Sql } from './database.js';

export interface RuntimeLogLine {
  id: number;
  instance: string;
  processType: string;
  release: number;
  line: string;
  at: Date;
}

export interface NewLogLine {
  appId: number;
  instance: string;
  processType: string;
  release: number;
  line: string;
  at: Date;
}

/** A stored line as PostgreSQL returns it (log search, telemetry/logs/, reads the same rows). */
export interface RuntimeLogRow {
  id: string;
  instance: string;
  process_type: string;
  release: number;
  line: string;
  at: Date;
}

export function toLine(row: RuntimeLogRow): RuntimeLogLine {
  return { id: Number(row.id), instance: row.instance, processType: row.process_type, release: row.release, line: row.line, at: row.at };
}

/** Appends lines and moves the instance's read position in one transaction. */
export async function appendRuntimeLogs(sql: Sql, instance: string, lines: NewLogLine[], position: string): Promise<void> {
  await sql.begin(async (tx) => {
    if (lines.length > 0) {
      await tx`INSERT INTO runtime_logs ${tx(lines.map((l) => ({
        app_id: l.appId, instance: l.instance, process_type: l.processType, release: l.release, line: l.line, at: l.at,
      })))}`;
    }
    await tx`
      INSERT INTO runtime_log_cursors (instance, position) VALUES (${instance}, ${position})
      ON CONFLICT (instance) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`;
  });
}

export async function readPositions(sql: Sql): Promise<Map<string, string>> {
  const rows = await sql<{ instance: string; position: string }[]>`SELECT instance, position FROM runtime_log_cursors`;
  return new Map(rows.map((r) => [r.instance, r.position]));
}

export interface LogQuery {
  appId: number;
  limit: number;
  processType?: string;
  /** Only lines after this id (following). */
  afterId?: number;
  /** Only lines before this id (paging back through history). */
  beforeId?: number;
}

/** The newest `limit` lines matching the query, returned oldest first. */
export async function readRuntimeLogs(sql: Sql, q: LogQuery): Promise<RuntimeLogLine[]> {
  const rows = await sql<RuntimeLogRow[]>`
    SELECT id, instance, process_type, release, line, at FROM runtime_logs
    WHERE app_id = ${q.appId}
      ${q.processType === undefined ? sql`` : sql`AND process_type = ${q.processType}`}
      ${q.afterId === undefined ? sql`` : sql`AND id > ${q.afterId}`}
      ${q.beforeId === undefined ? sql`` : sql`AND id < ${q.beforeId}`}
    ORDER BY id ${q.afterId === undefined ? sql`DESC` : sql`ASC`} LIMIT ${q.limit}`;
  const lines = rows.map(toLine);
  return q.afterId === undefined ? lines.reverse() : lines;
}

/** Bytes each stored line costs beside its text (row header, columns, index entries), roughly. */
const ROW_OVERHEAD = 100;

/**
 * Deletes lines older than `maxDays`, then the oldest lines beyond `maxBytes` in total, and the
 * read positions of instances not seen for `maxDays`. Returns how many lines went.
 */
export async function pruneRuntimeLogs(sql: Sql, limits: { maxBytes: number; maxDays: number }): Promise<number> {
  const aged = await sql`DELETE FROM runtime_logs WHERE at < now() - make_interval(days => ${limits.maxDays})`;
  await sql`DELETE FROM runtime_log_cursors WHERE updated_at < now() - make_interval(days => ${limits.maxDays})`;
  const [cut] = await sql<{ id: string | null }[]>`
    SELECT max(id) AS id FROM (
      SELECT id, sum(octet_length(line) + ${ROW_OVERHEAD}) OVER (ORDER BY id DESC) AS total FROM runtime_logs
    ) newest_first WHERE total > ${limits.maxBytes}`;
  if (!cut?.id) return aged.count;
  const sized = await sql`DELETE FROM runtime_logs WHERE id <= ${cut.id}`;
  return aged.count + sized.count;
}
