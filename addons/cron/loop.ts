/**
 * The cron loop (issue 21): every few seconds, each app's current release's app.json cron
 * entries are brought into `cron_jobs` and each job's due time, if any, is claimed and run as a
 * detached one-off process of that release (runs/runner.ts), with the output tail and exit code
 * in the run's history. A job whose previous run is still going is not started again: that
 * time counts as missed, with a log line. A failing job is only a failed run: the app's own
 * processes are never touched.
 */
import { parseCronSchedule } from '../../core/cron-schedule.js';
import { errorMessage } from '../../core/errors.js';
import type { AppName } from '../../core/names.js';
import type { RunDeps } from '../runs/runner.js';
import { startRun, type StartedRun } from '../runs/runner.js';
import { planCronTick } from './plan.js';
import { claimCronTick, currentCronEntries, jobIsRunning, syncCronJobs, type CronJobRow, type CurrentCron } from './store.js';

export const CRON_TICK_MS = 10_000;
/** A cron run is killed after an hour. */
export const CRON_RUN_TIMEOUT_MS = 3600_000;

export interface CronTickReport {
  started: StartedRun[];
  missed: number;
}

export async function cronTick(deps: RunDeps, now: Date): Promise<CronTickReport> {
  const report: CronTickReport = { started: [], missed: 0 };
  for (const current of await currentCronEntries(deps.sql)) {
    try {
      for (const job of await syncCronJobs(deps.sql, current, now)) await tickJob(deps, current, job, now, report);
    } catch (err) {
      deps.log(`[${current.app}] cron: ${errorMessage(err)}`);
    }
  }
  return report;
}

async function tickJob(deps: RunDeps, current: CurrentCron, job: CronJobRow, now: Date, report: CronTickReport): Promise<void> {
  const plan = planCronTick(parseCronSchedule(job.schedule), job.last_planned_at, now);
  if (plan.plannedUpTo.getTime() === job.last_planned_at.getTime()) return;
  const busy = plan.run !== undefined && (await jobIsRunning(deps.sql, current.appId, job.job));
  const missed = plan.missed + (busy ? 1 : 0);
  if (!(await claimCronTick(deps.sql, job, plan.plannedUpTo, missed, busy ? plan.run : plan.lastMissed))) return;
  const what = `cron "${job.schedule}" ${job.command}`;
  if (plan.missed > 0) deps.log(`[${current.app}] ${what}: missed ${plan.missed} run(s) while DevFlow was down (last due ${plan.lastMissed?.toISOString()})`);
  if (busy) deps.log(`[${current.app}] ${what}: not started at ${plan.run!.toISOString()}, its previous run is still going`);
  report.missed += missed;
  if (plan.run === undefined || busy) return;
  report.started.push(await startRun(deps, current.app as AppName, {
    command: job.command, actor: 'cron', detached: true, cronJob: job.job, timeoutMs: CRON_RUN_TIMEOUT_MS,
  }));
}
