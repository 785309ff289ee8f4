/**
 * What an app used in a month (issue 20): instance-seconds by size (long-running instances and
 * one-off runs apart), from the ledger's intervals cut to the month, and build seconds from the
 * deployments' timed build phases. An interval still open counts up to now.
 */
import type { Sql } from '../core/store/database.js';
import type { Period } from './months.js';

export interface AppUsage {
  app: string;
  month: string;
  /** Seconds of running instances, by size name. */
  instanceSeconds: Record<string, number>;
  /** Seconds of one-off runs (release phase, `devflow run`, cron), by size name. */
  oneOffSeconds: Record<string, number>;
  buildSeconds: number;
}

export async function appUsage(sql: Sql, app: { id: number; name: string }, period: Period): Promise<AppUsage> {
  const rows = await sql<Array<{ size: string; one_off: boolean; seconds: number }>>`
    SELECT size, one_off, sum(extract(epoch FROM
        least(coalesce(stopped_at, now()), ${period.end}::timestamptz) - greatest(started_at, ${period.start}::timestamptz)))::float8 AS seconds
    FROM usage_instances
    WHERE app_id = ${app.id} AND started_at < ${period.end} AND coalesce(stopped_at, now()) > ${period.start}
    GROUP BY size, one_off ORDER BY size`;
  const [build] = await sql<Array<{ seconds: number }>>`
    SELECT coalesce(sum(p.duration_ms), 0)::float8 / 1000 AS seconds
    FROM deployment_phases p JOIN deployments d ON d.id = p.deployment_id
    WHERE d.app_id = ${app.id} AND p.phase = 'build' AND p.started_at >= ${period.start} AND p.started_at < ${period.end}`;
  const bySize = (oneOff: boolean) => Object.fromEntries(rows.filter((r) => r.one_off === oneOff).map((r) => [r.size, Math.round(r.seconds * 1000) / 1000]));
  return { app: app.name, month: period.month, instanceSeconds: bySize(false), oneOffSeconds: bySize(true), buildSeconds: build!.seconds };
}
