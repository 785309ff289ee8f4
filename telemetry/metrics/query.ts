/**
 * An app's metrics over a time range (issue 18), for `devflow metrics`, the API and alert
 * rules: minute rows for ranges up to a day, hour rows beyond, summarised per process type; and
 * the app's own metrics (its Prometheus endpoint's, its OTLP points) read back as series.
 */
import { NotFoundError } from '../../core/errors.js';
import type { Sql } from '../../core/store/database.js';
import { LATENCY_BUCKETS } from '../../router/index.js';
import { customMetric, type CustomMetric } from './custom.js';
import { readDatabasePoints, type DatabasePoint } from './database.js';
import { listMetricNames, POINTS_KEPT_MS, readMetricPoints } from './points.js';
import { readMetricRows, type Resolution } from './store.js';
import { summarise, type MetricRow, type MetricSummary } from './summary.js';
import { latestInstanceUsage, type InstanceUsageView } from './usage-store.js';

export interface ProcessMetrics {
  processType: string;
  summary: MetricSummary;
  points: Array<{ at: Date; requests: number; rate5xx: number | undefined; p95Ms: number | undefined; cpuPercent: number | null; memoryMb: number | null; restarts: number }>;
}

export interface AppMetrics {
  resolution: Resolution;
  since: Date;
  until: Date;
  processes: ProcessMetrics[];
  /** Each instance's latest CPU and memory in the range (usage-store.ts). */
  instances: InstanceUsageView[];
  /** The app's own database (database.ts): its rows in the range, the latest last; empty before it exists. */
  database: DatabasePoint[];
}

export async function readAppMetrics(sql: Sql, appId: number, since: Date, until: Date): Promise<AppMetrics> {
  const resolution: Resolution = until.getTime() - since.getTime() <= 86_400_000 ? '1m' : '1h';
  const rows = await readMetricRows(sql, { appId, resolution, since, until });
  const minutes = (until.getTime() - since.getTime()) / 60_000;
  const byType = new Map<string, MetricRow[]>();
  for (const row of rows) byType.set(row.processType, [...(byType.get(row.processType) ?? []), row]);
  const processes = [...byType].map(([processType, list]) => ({
    processType,
    summary: summarise(list, LATENCY_BUCKETS, minutes),
    points: list.map((r) => {
      const one = summarise([r], LATENCY_BUCKETS, resolution === '1m' ? 1 : 60);
      return { at: r.at, requests: r.requests, rate5xx: one.rate5xx, p95Ms: one.p95Ms, cpuPercent: r.cpuPercent, memoryMb: r.memoryMb, restarts: r.restarts ?? 0 };
    }),
  }));
  const [instances, database] = await Promise.all([latestInstanceUsage(sql, appId, since, until), readDatabasePoints(sql, { appId, resolution, since, until })]);
  return { resolution, since, until, processes, instances, database };
}

/** The app's summary over the last `windowMs` of minute rows, all process types together. */
export async function recentSummary(sql: Sql, appId: number, now: Date, windowMs: number): Promise<MetricSummary> {
  const rows = await readMetricRows(sql, { appId, resolution: '1m', since: new Date(now.getTime() - windowMs), until: now });
  return summarise(rows, LATENCY_BUCKETS, windowMs / 60_000);
}

/** Points read for one metric at most; a day of one scrape a minute from 20 instances is 28,800. */
const CUSTOM_POINTS_READ = 100_000;

/**
 * One of the app's own metrics over a range, as series (custom.ts). A name the app has no point
 * of in the kept day is a NotFoundError naming the ones it has.
 */
export async function readCustomMetric(sql: Sql, appId: number, name: string, since: Date, until: Date): Promise<CustomMetric> {
  const points = await readMetricPoints(sql, { appId, name, since, until, limit: CUSTOM_POINTS_READ });
  if (points.length === 0) {
    const known = await listMetricNames(sql, appId, new Date(until.getTime() - POINTS_KEPT_MS));
    if (!known.some((m) => m.name === name)) {
      const names = known.map((m) => m.name);
      throw new NotFoundError(`no metric named "${name}"${names.length === 0 ? ': the app has sent none (OTLP /v1/metrics, or DEVFLOW_METRICS_PATH to be scraped)' : `; the app's metrics are ${names.slice(0, 20).join(', ')}`}`);
    }
  }
  return customMetric(name, points, since, until);
}
