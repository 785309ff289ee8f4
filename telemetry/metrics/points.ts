/**
 * The data points apps send over OTLP (otlp/metrics.ts), in app_metric_points (migration 054):
 * written as they come, read per app and metric name over a time range, kept a day (the rollup
 * prunes them with the minute rows).
 */
import type { Sql } from '../../core/store/database.js';
import type { MetricPoint } from '../otlp/metrics.js';
import { readingOf, type Reading, type StoredPoint } from './custom.js';

export type { StoredPoint } from './custom.js';

export type { MetricPoint } from '../otlp/metrics.js';

const BATCH = 5_000;
export const POINTS_KEPT_MS = 86_400_000;

export async function addMetricPoints(sql: Sql, points: readonly MetricPoint[]): Promise<number> {
  for (let i = 0; i < points.length; i += BATCH) {
    await sql`INSERT INTO app_metric_points ${sql(points.slice(i, i + BATCH).map((p) => ({
      app_id: p.appId, name: p.name, kind: p.kind, unit: p.unit, attributes: sql.json(p.attributes as never), at: p.at, value: p.value, count: p.count,
      temporality: p.temporality ?? null, monotonic: p.monotonic ?? null,
    })))}`;
  }
  return points.length;
}

/** An app's points since a time, oldest first; one metric when `name` is given. */
export async function readMetricPoints(sql: Sql, q: { appId: number; since: Date; until?: Date; name?: string; limit?: number }): Promise<StoredPoint[]> {
  const rows = await sql<Array<Omit<StoredPoint, 'count'> & { count: string | null }>>`
    SELECT name, kind, unit, attributes, at, value, count, temporality, monotonic FROM app_metric_points
    WHERE app_id = ${q.appId} AND at >= ${q.since} ${q.until ? sql`AND at < ${q.until}` : sql``} ${q.name ? sql`AND name = ${q.name}` : sql``}
    ORDER BY at, id LIMIT ${q.limit ?? 10_000}`;
  return rows.map((r) => ({ ...r, count: r.count === null ? null : Number(r.count) }));
}

export async function prunePoints(sql: Sql, now: Date): Promise<void> {
  await sql`DELETE FROM app_metric_points WHERE at < ${new Date(now.getTime() - POINTS_KEPT_MS)}`;
}

export interface MetricName {
  name: string;
  kind: MetricPoint['kind'];
  unit: string;
  /** How it is read back (custom.ts). */
  reading: Reading;
  points: number;
  lastAt: Date;
}

/** The metrics an app has points of since a time, by name, with the kind and unit of their latest point. */
export async function listMetricNames(sql: Sql, appId: number, since: Date): Promise<MetricName[]> {
  const rows = await sql<Array<{ name: string; kind: MetricPoint['kind']; unit: string; temporality: MetricPoint['temporality']; monotonic: boolean | null; points: string; last_at: Date }>>`
    SELECT DISTINCT ON (name) name, kind, unit, temporality, monotonic, count(*) OVER (PARTITION BY name) AS points, max(at) OVER (PARTITION BY name) AS last_at
    FROM app_metric_points WHERE app_id = ${appId} AND at >= ${since}
    ORDER BY name, at DESC, id DESC`;
  // Sorted here, by code point: the database's collation may order punctuation otherwise.
  return rows.map((r) => ({ name: r.name, kind: r.kind, unit: r.unit, reading: readingOf(r), points: Number(r.points), lastAt: r.last_at }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
