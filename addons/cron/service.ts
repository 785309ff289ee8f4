/** `devflow cron <app>` (issue 21): an app's scheduled jobs with their last run, status and next run. */
import { nextCronTime, parseCronSchedule } from '../../core/cron-schedule.js';
import type { AppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import type { Sql } from '../../core/store/database.js';
import { fromRow as runFromRow, type RunRow } from '../runs/store.js';
import { currentCronEntries, listCronJobs, syncCronJobs } from './store.js';

export interface CronJobView {
  job: string;
  command: string;
  schedule: string;
  release: number;
  nextRun: string;
  lastRun: { id: number; state: string; exitCode: number | null; startedAt: string; finishedAt: string | null; output: string[] } | null;
  /** Scheduled times that did not run: DevFlow was down, or the previous run was still going. */
  missed: number;
  lastMissedAt: string | null;
}

export async function listCron(sql: Sql, name: AppName, now = new Date()): Promise<CronJobView[]> {
  const app = await getApp(sql, name);
  // The jobs of the current release as it is now, not as the loop last took them (up to
  // CRON_TICK_MS ago): a job pushed a moment ago is listed, one removed is gone.
  const [current] = await currentCronEntries(sql, app.id);
  const jobs = current === undefined ? await listCronJobs(sql, app.id) : await syncCronJobs(sql, current, now);
  return Promise.all(jobs.map(async (job) => {
    const [last] = await sql<RunRow[]>`
      SELECT * FROM one_off_runs WHERE app_id = ${app.id} AND cron_job = ${job.job} ORDER BY id DESC LIMIT 1`;
    const run = last === undefined ? null : runFromRow(app.name, last);
    const from = job.last_planned_at > now ? job.last_planned_at : now;
    return {
      job: job.job, command: job.command, schedule: job.schedule, release: job.release,
      nextRun: nextCronTime(parseCronSchedule(job.schedule), from).toISOString(),
      lastRun: run && { id: run.id, state: run.state, exitCode: run.exitCode, startedAt: run.startedAt, finishedAt: run.finishedAt, output: run.output.slice(-20) },
      missed: job.missed, lastMissedAt: job.last_missed_at?.toISOString() ?? null,
    };
  }));
}
