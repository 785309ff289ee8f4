/** The `cron_jobs` table (migration 041): each current release's app.json cron entries and where the loop is. */
import type { Sql } from '../../core/store/database.js';
import type { CronEntry } from '../../core/types.js';
import { cronJobKey } from './plan.js';

export interface CronJobRow {
  app_id: number;
  job: string;
  command: string;
  schedule: string;
  release: number;
  last_planned_at: Date;
  missed: number;
  last_missed_at: Date | null;
}

export interface CurrentCron {
  appId: number;
  app: string;
  release: number;
  entries: CronEntry[];
}

/** Every app's (or one app's) current release with its cron entries (none: an empty list, so old jobs go). */
export async function currentCronEntries(sql: Sql, appId?: number): Promise<CurrentCron[]> {
  const rows = await sql<{ app_id: number; app: string; release: number; cron: CronEntry[] | null }[]>`
    SELECT a.id AS app_id, a.name AS app, r.version AS release, r.artifact->'cron' AS cron
    FROM apps a JOIN releases r ON r.app_id = a.id AND r.version = a.current_release
    ${appId === undefined ? sql`` : sql`WHERE a.id = ${appId}`}`;
  return rows.map((r) => ({ appId: r.app_id, app: r.app, release: r.release, entries: r.cron ?? [] }));
}

/**
 * Makes the app's jobs those of its current release: a new entry starts from `now` (no runs
 * before it existed), an entry that left app.json goes, a kept one keeps its place and history.
 */
export async function syncCronJobs(sql: Sql, current: CurrentCron, now: Date): Promise<CronJobRow[]> {
  const keys = current.entries.map(cronJobKey);
  await sql`DELETE FROM cron_jobs WHERE app_id = ${current.appId} AND NOT (job = ANY(${keys}))`;
  for (const [i, entry] of current.entries.entries()) {
    await sql`
      INSERT INTO cron_jobs (app_id, job, command, schedule, release, last_planned_at)
      VALUES (${current.appId}, ${keys[i]!}, ${entry.command}, ${entry.schedule}, ${current.release}, ${now})
      ON CONFLICT (app_id, job) DO UPDATE SET release = EXCLUDED.release`;
  }
  return sql<CronJobRow[]>`SELECT * FROM cron_jobs WHERE app_id = ${current.appId} ORDER BY job`;
}

/**
 * Moves the job on to `plannedUpTo` if no other DevFlow did meanwhile (the row still holds
 * `from`): the claim that keeps two replicas from running one scheduled time twice.
 */
export async function claimCronTick(
  sql: Sql, job: CronJobRow, plannedUpTo: Date, missed: number, lastMissed: Date | undefined,
): Promise<boolean> {
  const rows = await sql`
    UPDATE cron_jobs SET last_planned_at = ${plannedUpTo}, missed = missed + ${missed},
      last_missed_at = COALESCE(${lastMissed ?? null}::timestamptz, last_missed_at)
    WHERE app_id = ${job.app_id} AND job = ${job.job} AND last_planned_at = ${job.last_planned_at}
    RETURNING job`;
  return rows.length === 1;
}

export async function jobIsRunning(sql: Sql, appId: number, job: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM one_off_runs WHERE app_id = ${appId} AND cron_job = ${job} AND state = 'running' LIMIT 1`;
  return rows.length > 0;
}

export async function listCronJobs(sql: Sql, appId: number): Promise<CronJobRow[]> {
  return sql<CronJobRow[]>`SELECT * FROM cron_jobs WHERE app_id = ${appId} ORDER BY job`;
}
