/**
 * Per-app database metrics (issue 18, metrics): each app's own database on the platform
 * PostgreSQL (core/store/app-databases.ts) sampled once a minute from PostgreSQL's statistics
 * views ("The Cumulative Statistics System"): connections (`pg_stat_activity` rows on the
 * database), size (`pg_database_size`) and the cache hit ratio (`pg_stat_database`:
 * blks_hit / (blks_hit + blks_read), since the statistics were last reset). Minute rows are kept
 * a day and folded into hour rows (mean connections and ratio, largest size) kept 30 days, as
 * app_metrics are (store.ts). Apps whose database is not created yet have no rows.
 */
import type { Sql } from '../../core/store/database.js';
import type { Resolution } from './store.js';

export interface DatabasePoint {
  at: Date;
  connections: number;
  sizeBytes: number;
  /** 0..1; null before the database has read a block. */
  cacheHitRatio: number | null;
}

const MINUTE_ROWS_KEPT_MS = 86_400_000;
const HOUR_ROWS_KEPT_MS = 30 * 86_400_000;

/** Stores every app database's figures now as the row of `minute` (again the same minute: replaced). */
export async function sampleDatabases(sql: Sql, minute: Date): Promise<number> {
  const rows = await sql`
    INSERT INTO app_database_metrics (app_id, resolution, at, connections, size_bytes, cache_hit_ratio)
    SELECT d.app_id, '1m', ${minute},
      (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = p.oid),
      pg_database_size(p.oid),
      CASE WHEN s.blks_hit + s.blks_read > 0 THEN s.blks_hit::float8 / (s.blks_hit + s.blks_read) END
    FROM app_databases d JOIN pg_database p ON p.datname = d.database LEFT JOIN pg_stat_database s ON s.datid = p.oid
    ON CONFLICT (app_id, resolution, at) DO UPDATE SET
      connections = EXCLUDED.connections, size_bytes = EXCLUDED.size_bytes, cache_hit_ratio = EXCLUDED.cache_hit_ratio
    RETURNING app_id`;
  return rows.length;
}

/** Folds the finished hours since `from` into hour rows (replacing earlier ones), then drops old rows. */
export async function rollUpDatabaseHours(sql: Sql, from: Date, now: Date): Promise<void> {
  const hourStart = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  await sql.begin(async (tx) => {
    await tx`DELETE FROM app_database_metrics WHERE resolution = '1h' AND at >= date_trunc('hour', ${from}::timestamptz) AND at < ${hourStart}`;
    await tx`
      INSERT INTO app_database_metrics (app_id, resolution, at, connections, size_bytes, cache_hit_ratio)
      SELECT app_id, '1h', date_trunc('hour', at), avg(connections), max(size_bytes), avg(cache_hit_ratio)
      FROM app_database_metrics WHERE resolution = '1m' AND at >= date_trunc('hour', ${from}::timestamptz) AND at < ${hourStart}
      GROUP BY app_id, date_trunc('hour', at)`;
  });
  await sql`DELETE FROM app_database_metrics WHERE resolution = '1m' AND at < ${new Date(now.getTime() - MINUTE_ROWS_KEPT_MS)}`;
  await sql`DELETE FROM app_database_metrics WHERE resolution = '1h' AND at < ${new Date(now.getTime() - HOUR_ROWS_KEPT_MS)}`;
}

export async function readDatabasePoints(sql: Sql, q: { appId: number; resolution: Resolution; since: Date; until: Date }): Promise<DatabasePoint[]> {
  const rows = await sql<Array<{ at: Date; connections: number; size_bytes: string; cache_hit_ratio: number | null }>>`
    SELECT at, connections, size_bytes, cache_hit_ratio FROM app_database_metrics
    WHERE app_id = ${q.appId} AND resolution = ${q.resolution} AND at >= ${q.since} AND at < ${q.until} ORDER BY at`;
  return rows.map((r) => ({ at: r.at, connections: r.connections, sizeBytes: Number(r.size_bytes), cacheHitRatio: r.cache_hit_ratio }));
}
