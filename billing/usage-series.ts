/**
 * What an app, or a team's apps, used in each day (or hour) of a month (issue 20: "the dashboard
 * shows it with a chart"), from the same ledger rows usage.ts sums: instance-hours (intervals
 * cut at each bucket's edges, one-off runs apart), build minutes (the timed build phases, by
 * when they started), router requests and egress bytes (the hourly traffic rows), and database
 * and storage bytes (the largest hourly sample in the bucket, summed over apps; null where none
 * was taken). Buckets are UTC, from the month's start up to now (a past month: all of it).
 */
import { InvalidInputError } from '../core/errors.js';
import type { Sql } from '../core/store/database.js';
import type { Period } from './months.js';

export type UsageStep = 'day' | 'hour';

export interface UsagePoint {
  /** The bucket's start (ISO, UTC). */
  at: string;
  instanceHours: number;
  oneOffHours: number;
  buildMinutes: number;
  requests: number;
  egressBytes: number;
  databaseBytes: number | null;
  storageBytes: number | null;
}

export interface UsageSeries {
  month: string;
  step: UsageStep;
  points: UsagePoint[];
}

const STEP_SECONDS: Record<UsageStep, number> = { day: 86_400, hour: 3_600 };

export function parseUsageStep(text: string | undefined): UsageStep {
  if (text === undefined || text === '') return 'day';
  if (text === 'day' || text === 'hour') return text;
  throw new InvalidInputError(`step "${text}" is unknown: use day or hour`);
}

/** The bucket starts of `period` before `now` (pure): whole UTC days or hours. */
export function bucketStarts(period: Period, step: UsageStep, now: Date): Date[] {
  const size = STEP_SECONDS[step] * 1000;
  const until = Math.min(period.end.getTime(), now.getTime());
  const starts: Date[] = [];
  for (let t = period.start.getTime(); t < until; t += size) starts.push(new Date(t));
  return starts;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export async function usageSeries(sql: Sql, scope: { app: number } | { team: number }, period: Period, step: UsageStep, now = new Date()): Promise<UsageSeries> {
  const starts = bucketStarts(period, step, now);
  if (starts.length === 0) return { month: period.month, step, points: [] };
  const seconds = STEP_SECONDS[step];
  const owned = (alias: string) => ('app' in scope ? sql`${sql(alias)}.app_id = ${scope.app}` : sql`${sql(alias)}.team_id = ${scope.team}`);
  const every = sql`make_interval(secs => ${seconds})`;
  const buckets = sql`(SELECT b AS start, b + ${every} AS stop FROM generate_series(${starts[0]!}::timestamptz, ${starts.at(-1)!}::timestamptz, ${every}) AS b)`;
  const [instances, builds, traffic, sizes] = await Promise.all([
    sql<Array<{ start: Date; one_off: boolean; seconds: number }>>`
      SELECT b.start, u.one_off, sum(extract(epoch FROM least(coalesce(u.stopped_at, now()), b.stop) - greatest(u.started_at, b.start)))::float8 AS seconds
      FROM ${buckets} b JOIN usage_instances u ON ${owned('u')} AND u.started_at < b.stop AND coalesce(u.stopped_at, now()) > b.start
      GROUP BY b.start, u.one_off`,
    sql<Array<{ start: Date; ms: number }>>`
      SELECT b.start, sum(p.duration_ms)::float8 AS ms
      FROM ${buckets} b JOIN deployment_phases p ON p.phase = 'build' AND p.started_at >= b.start AND p.started_at < b.stop
      JOIN deployments d ON d.id = p.deployment_id JOIN apps a ON a.id = d.app_id
      WHERE ${'app' in scope ? sql`a.id = ${scope.app}` : sql`a.team_id = ${scope.team}`}
      GROUP BY b.start`,
    sql<Array<{ start: Date; requests: number; bytes: number }>>`
      SELECT b.start, sum(t.requests)::float8 AS requests, sum(t.egress_bytes)::float8 AS bytes
      FROM ${buckets} b JOIN usage_traffic t ON ${owned('t')} AND t.hour >= b.start AND t.hour < b.stop
      GROUP BY b.start`,
    sql<Array<{ start: Date; database: number | null; storage: number | null }>>`
      SELECT start, sum(database)::float8 AS database, sum(storage)::float8 AS storage FROM (
        SELECT b.start, s.app_id, max(s.database_bytes) AS database, max(s.storage_bytes) AS storage
        FROM ${buckets} b JOIN usage_sizes s ON ${owned('s')} AND s.hour >= b.start AND s.hour < b.stop
        GROUP BY b.start, s.app_id) per_app
      GROUP BY start`,
  ]);
  const key = (d: Date) => d.getTime();
  const points = new Map<number, UsagePoint>(starts.map((s) => [key(s), {
    at: s.toISOString(), instanceHours: 0, oneOffHours: 0, buildMinutes: 0, requests: 0, egressBytes: 0, databaseBytes: null, storageBytes: null,
  }]));
  for (const r of instances) {
    const p = points.get(key(r.start))!;
    if (r.one_off) p.oneOffHours = round(r.seconds / 3600);
    else p.instanceHours = round(r.seconds / 3600);
  }
  for (const r of builds) points.get(key(r.start))!.buildMinutes = round(r.ms / 60_000);
  for (const r of traffic) Object.assign(points.get(key(r.start))!, { requests: r.requests, egressBytes: r.bytes });
  for (const r of sizes) Object.assign(points.get(key(r.start))!, { databaseBytes: r.database, storageBytes: r.storage });
  return { month: period.month, step, points: [...points.values()] };
}
