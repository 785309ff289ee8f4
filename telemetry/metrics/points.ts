/**
 * The data points apps send over OTLP (otlp/metrics.ts), in app_metric_points (migration 054):
 * written as they come, read per app and metric name over a time range, kept a day (the rollup
 * prunes them with the minute rows).
 */
import type { Sql } from '../../core/store/database.js';
import type { MetricPoint } from '../otlp/metrics.js';

export type { MetricPoint } from '../otlp/metrics.js';

const BATCH = 5_000;
export const POINTS_KEPT_MS = 86_400_000;

export async function addMetricPoints(sql: Sql, points: readonly MetricPoint[]): Promise<number> {
  for (let i = 0; i < points.length; i += BATCH) {
    await sql`INSERT INTO app_metric_points ${sql(points.slice(i, i + BATCH).map((p) => ({
      app_id: p.appId, name: p.name, kind: p.kind, unit: p.unit, attributes: sql.json(p.attributes as never), at: p.at, value: p.value, count: p.count,
    })))}`;
  }
  return points.length;
}

export interface StoredPoint {
  name: string;
  kind: MetricPoint['kind'];
  unit: string;
  attributes: Record<string, unknown>;
  at: Date;
  value: number | null;
  count: number | null;
}

/** An app's points since a time, oldest first; one metric when `name` is given. */
export async function readMetricPoints(sql: Sql, q: { appId: number; since: Date; until?: Date; name?: string; limit?: number }): Promise<StoredPoint[]> {
  const rows = await sql<Array<Omit<StoredPoint, 'count'> & { count: string | null }>>`
    SELECT name, kind, unit, attributes, at, value, count FROM app_metric_points
    WHERE app_id = ${q.appId} AND at >= ${q.since} ${q.until ? sql`AND at < ${q.until}` : sql``} ${q.name ? sql`AND name = ${q.name}` : sql``}
    ORDER BY at, id LIMIT ${q.limit ?? 10_000}`;
  return rows.map((r) => ({ ...r, count: r.count === null ? null : Number(r.count) }));
}

export async function prunePoints(sql: Sql, now: Date): Promise<void> {
  await sql`DELETE FROM app_metric_points WHERE at < ${new Date(now.getTime() - POINTS_KEPT_MS)}`;
}
