/**
 * Rolled-up metrics in the store (migration 031): one row per app, process type and minute
 * (kept a day), folded into one per hour (kept 30 days). Rows are added to, not replaced, so
 * two writers of the same minute (request counts from the router, CPU and memory from the
 * runtime, restarts from the crash records: migration 083) each fill their own columns.
 */
import type { Sql } from '../../core/store/database.js';
import type { MetricRow } from './summary.js';

export type Resolution = '1m' | '1h';

export interface NewMetricRow extends MetricRow {
  appId: number;
  processType: string;
  resolution: Resolution;
}

const MINUTE_ROWS_KEPT_MS = 86_400_000;
const HOUR_ROWS_KEPT_MS = 30 * 86_400_000;

interface Row {
  at: Date;
  requests: string;
  status_1xx: string;
  status_2xx: string;
  status_3xx: string;
  status_4xx: string;
  status_5xx: string;
  latency_buckets: string[] | null;
  latency_sum: number;
  cpu_percent: number | null;
  memory_mb: number | null;
  instances: number | null;
  restarts: number;
}

export async function addMetricRows(sql: Sql, rows: readonly NewMetricRow[]): Promise<void> {
  for (const r of rows) {
    await sql`
      INSERT INTO app_metrics (app_id, process_type, resolution, at, requests, status_1xx, status_2xx, status_3xx, status_4xx, status_5xx,
        latency_buckets, latency_sum, cpu_percent, memory_mb, instances, restarts)
      VALUES (${r.appId}, ${r.processType}, ${r.resolution}, ${r.at}, ${r.requests}, ${r.status['1xx']}, ${r.status['2xx']}, ${r.status['3xx']},
        ${r.status['4xx']}, ${r.status['5xx']}, ${r.latencyBuckets}, ${r.latencySum}, ${r.cpuPercent}, ${r.memoryMb}, ${r.instances}, ${r.restarts ?? 0})
      ON CONFLICT (app_id, process_type, resolution, at) DO UPDATE SET
        requests = app_metrics.requests + EXCLUDED.requests,
        status_1xx = app_metrics.status_1xx + EXCLUDED.status_1xx, status_2xx = app_metrics.status_2xx + EXCLUDED.status_2xx,
        status_3xx = app_metrics.status_3xx + EXCLUDED.status_3xx, status_4xx = app_metrics.status_4xx + EXCLUDED.status_4xx,
        status_5xx = app_metrics.status_5xx + EXCLUDED.status_5xx,
        latency_buckets = CASE WHEN app_metrics.latency_buckets IS NULL THEN EXCLUDED.latency_buckets
          WHEN EXCLUDED.latency_buckets IS NULL THEN app_metrics.latency_buckets
          ELSE (SELECT array_agg(a + b ORDER BY i) FROM unnest(app_metrics.latency_buckets, EXCLUDED.latency_buckets) WITH ORDINALITY AS u(a, b, i)) END,
        latency_sum = app_metrics.latency_sum + EXCLUDED.latency_sum,
        cpu_percent = COALESCE(EXCLUDED.cpu_percent, app_metrics.cpu_percent),
        memory_mb = COALESCE(EXCLUDED.memory_mb, app_metrics.memory_mb),
        instances = COALESCE(EXCLUDED.instances, app_metrics.instances),
        restarts = app_metrics.restarts + EXCLUDED.restarts`;
  }
}

export async function readMetricRows(
  sql: Sql, q: { appId: number; processType?: string; resolution: Resolution; since: Date; until?: Date },
): Promise<Array<MetricRow & { processType: string }>> {
  const rows = await sql<Array<Row & { process_type: string }>>`
    SELECT process_type, at, requests, status_1xx, status_2xx, status_3xx, status_4xx, status_5xx, latency_buckets, latency_sum,
      cpu_percent, memory_mb, instances, restarts
    FROM app_metrics WHERE app_id = ${q.appId} AND resolution = ${q.resolution} AND at >= ${q.since}
      ${q.until ? sql`AND at < ${q.until}` : sql``} ${q.processType ? sql`AND process_type = ${q.processType}` : sql``}
    ORDER BY at, process_type`;
  return rows.map((r) => ({
    processType: r.process_type, at: r.at, requests: Number(r.requests),
    status: { '1xx': Number(r.status_1xx), '2xx': Number(r.status_2xx), '3xx': Number(r.status_3xx), '4xx': Number(r.status_4xx), '5xx': Number(r.status_5xx) },
    latencyBuckets: r.latency_buckets?.map(Number) ?? null, latencySum: r.latency_sum,
    cpuPercent: r.cpu_percent, memoryMb: r.memory_mb, instances: r.instances, restarts: r.restarts,
  }));
}

/**
 * Folds the minute rows of each finished hour since `from` into hour rows (replacing any made
 * before, so running it twice changes nothing), then drops rows past their keeping time.
 */
export async function rollUpHours(sql: Sql, from: Date, now: Date): Promise<void> {
  const hourStart = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  await sql.begin(async (tx) => {
    await tx`DELETE FROM app_metrics WHERE resolution = '1h' AND at >= date_trunc('hour', ${from}::timestamptz) AND at < ${hourStart}`;
    await tx`
      WITH minutes AS (
        SELECT * FROM app_metrics WHERE resolution = '1m' AND at >= date_trunc('hour', ${from}::timestamptz) AND at < ${hourStart}
      ), buckets AS (
        SELECT app_id, process_type, hour, array_agg(total ORDER BY i) AS latency_buckets FROM (
          SELECT app_id, process_type, date_trunc('hour', at) AS hour, u.i, sum(u.n)::bigint AS total
          FROM minutes, unnest(latency_buckets) WITH ORDINALITY AS u(n, i) GROUP BY 1, 2, 3, 4
        ) per_bucket GROUP BY 1, 2, 3
      ), sums AS (
        SELECT app_id, process_type, date_trunc('hour', at) AS hour, sum(requests) AS requests, sum(status_1xx) AS s1, sum(status_2xx) AS s2,
          sum(status_3xx) AS s3, sum(status_4xx) AS s4, sum(status_5xx) AS s5, sum(latency_sum) AS latency_sum,
          avg(cpu_percent) AS cpu_percent, max(memory_mb) AS memory_mb, max(instances) AS instances, sum(restarts) AS restarts
        FROM minutes GROUP BY 1, 2, 3
      )
      INSERT INTO app_metrics (app_id, process_type, resolution, at, requests, status_1xx, status_2xx, status_3xx, status_4xx, status_5xx,
        latency_buckets, latency_sum, cpu_percent, memory_mb, instances, restarts)
      SELECT s.app_id, s.process_type, '1h', s.hour, s.requests, s.s1, s.s2, s.s3, s.s4, s.s5, b.latency_buckets, s.latency_sum,
        s.cpu_percent, s.memory_mb, s.instances, s.restarts
      FROM sums s LEFT JOIN buckets b USING (app_id, process_type, hour)`;
  });
  await sql`DELETE FROM app_metrics WHERE resolution = '1m' AND at < ${new Date(now.getTime() - MINUTE_ROWS_KEPT_MS)}`;
  await sql`DELETE FROM app_metrics WHERE resolution = '1h' AND at < ${new Date(now.getTime() - HOUR_ROWS_KEPT_MS)}`;
}
