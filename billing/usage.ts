/**
 * What an app, or a team's apps, used in a month (issue 20): instance-seconds by size
 * (long-running instances and one-off runs apart), from the ledger's intervals cut to the
 * month; build seconds from the deployments' timed build phases; router requests and egress
 * bytes from the hourly traffic rows; the largest database and storage bytes sampled in the
 * month. An interval still open counts up to now. A team's usage is the sum over the apps it
 * owned when the use was recorded, destroyed apps included, with each app's own beside it.
 */
import type { Sql } from '../core/store/database.js';
import type { Period } from './months.js';

export interface UsageTotals {
  month: string;
  /** Seconds of running instances, by size name. */
  instanceSeconds: Record<string, number>;
  /** Seconds of one-off runs (release phase, `devflow run`, cron), by size name. */
  oneOffSeconds: Record<string, number>;
  buildSeconds: number;
  /** Requests the router served to the app. */
  requests: number;
  /** Response body bytes the router sent to clients. */
  egressBytes: number;
  /** The largest size of the app database sampled in the month (hourly), or 0. */
  databaseBytes: number;
  /** The largest sum of the backend storage objects' sizes sampled in the month, or 0. */
  storageBytes: number;
}

export interface AppUsage extends UsageTotals {
  app: string;
}

export interface TeamUsage extends UsageTotals {
  team: string;
  apps: AppUsage[];
}

/** Which ledger rows count: one app's, or those of a team's apps. */
type Scope = { app: number } | { team: number };

interface Row { app: string; key?: string; value: number }

const round = (n: number) => Math.round(n * 1000) / 1000;

async function usageRows(sql: Sql, scope: Scope, period: Period): Promise<Record<'instances' | 'runs' | 'builds' | 'requests' | 'egress' | 'database' | 'storage', Row[]>> {
  const owned = (alias: string) => ('app' in scope ? sql`${sql(alias)}.app_id = ${scope.app}` : sql`${sql(alias)}.team_id = ${scope.team}`);
  const [intervals, builds, traffic, sizes] = await Promise.all([
    sql<Array<{ app: string; size: string; one_off: boolean; seconds: number }>>`
      SELECT u.app, u.size, u.one_off, sum(extract(epoch FROM
          least(coalesce(u.stopped_at, now()), ${period.end}::timestamptz) - greatest(u.started_at, ${period.start}::timestamptz)))::float8 AS seconds
      FROM usage_instances u
      WHERE ${owned('u')} AND u.started_at < ${period.end} AND coalesce(u.stopped_at, now()) > ${period.start}
      GROUP BY u.app, u.size, u.one_off ORDER BY u.app, u.size`,
    sql<Array<{ app: string; seconds: number }>>`
      SELECT a.name AS app, sum(p.duration_ms)::float8 / 1000 AS seconds
      FROM deployment_phases p JOIN deployments d ON d.id = p.deployment_id JOIN apps a ON a.id = d.app_id
      WHERE ${'app' in scope ? sql`a.id = ${scope.app}` : sql`a.team_id = ${scope.team}`}
        AND p.phase = 'build' AND p.started_at >= ${period.start} AND p.started_at < ${period.end}
      GROUP BY a.name`,
    sql<Array<{ app: string; requests: number; bytes: number }>>`
      SELECT t.app, sum(t.requests)::float8 AS requests, sum(t.egress_bytes)::float8 AS bytes
      FROM usage_traffic t WHERE ${owned('t')} AND t.hour >= ${period.start} AND t.hour < ${period.end} GROUP BY t.app`,
    sql<Array<{ app: string; database: number | null; storage: number | null }>>`
      SELECT s.app, max(s.database_bytes)::float8 AS database, max(s.storage_bytes)::float8 AS storage
      FROM usage_sizes s WHERE ${owned('s')} AND s.hour >= ${period.start} AND s.hour < ${period.end} GROUP BY s.app`,
  ]);
  const interval = (oneOff: boolean) => intervals.filter((r) => r.one_off === oneOff).map((r) => ({ app: r.app, key: r.size, value: r.seconds }));
  return {
    instances: interval(false),
    runs: interval(true),
    builds: builds.map((r) => ({ app: r.app, value: r.seconds })),
    requests: traffic.map((r) => ({ app: r.app, value: r.requests })),
    egress: traffic.map((r) => ({ app: r.app, value: r.bytes })),
    database: sizes.map((r) => ({ app: r.app, value: r.database ?? 0 })),
    storage: sizes.map((r) => ({ app: r.app, value: r.storage ?? 0 })),
  };
}

function totals(rows: Awaited<ReturnType<typeof usageRows>>, month: string, only?: string): UsageTotals {
  const pick = (list: Row[]) => (only === undefined ? list : list.filter((r) => r.app === only));
  const sum = (list: Row[]) => round(pick(list).reduce((n, r) => n + r.value, 0));
  const bySize = (list: Row[]) => {
    const out: Record<string, number> = {};
    for (const r of pick(list)) out[r.key!] = round((out[r.key!] ?? 0) + r.value);
    return out;
  };
  return {
    month, instanceSeconds: bySize(rows.instances), oneOffSeconds: bySize(rows.runs), buildSeconds: sum(rows.builds),
    requests: sum(rows.requests), egressBytes: sum(rows.egress), databaseBytes: sum(rows.database), storageBytes: sum(rows.storage),
  };
}

export async function appUsage(sql: Sql, app: { id: number; name: string }, period: Period): Promise<AppUsage> {
  return { app: app.name, ...totals(await usageRows(sql, { app: app.id }, period), period.month) };
}

/** A team's sums are of its apps' sums; database and storage bytes too (each app's largest). */
export async function teamUsage(sql: Sql, team: { id: number; name: string }, period: Period): Promise<TeamUsage> {
  const rows = await usageRows(sql, { team: team.id }, period);
  const names = [...new Set(Object.values(rows).flatMap((list) => list.map((r) => r.app)))].sort();
  return { team: team.name, ...totals(rows, period.month), apps: names.map((app) => ({ app, ...totals(rows, period.month, app) })) };
}
