/// <reference lib="dom" />
/**
 * An app's scheduled jobs and recent one-off runs (issue 21), read-only: the app.json cron jobs
 * as `devflow cron` shows them (GET /apps/{app}/cron) and the runs `devflow runs` lists
 * (GET /apps/{app}/runs), polled because a run ending sends no live event.
 */
import { api } from '../client.js';
import { ago, badge, h, replace } from '../dom.js';
import { attempt, every, type Panel } from './panel.js';

interface CronJob {
  job: string; command: string; schedule: string; nextRun: string; missed: number; lastMissedAt: string | null;
  lastRun: { id: number; state: string; exitCode: number | null; startedAt: string } | null;
}
interface Run { id: number; command: string; state: string; exitCode: number | null; cronJob: string | null; startedAt: string }

const POLL_MS = 5_000;

/** A run's outcome as a user reads it: its state, and its exit code once it has one. */
function outcome(run: { state: string; exitCode: number | null }): HTMLElement {
  return h('span', {}, badge(run.state), run.exitCode === null ? '' : ` exit ${run.exitCode}`);
}

function table(headings: string[], body: HTMLElement): HTMLElement {
  return h('table', {}, h('thead', {}, h('tr', {}, ...headings.map((t) => h('th', {}, t)))), body);
}

export function jobsPanel(root: HTMLElement, app: string): Panel {
  const jobsBody = h('tbody');
  const runsBody = h('tbody');
  const jobsCard = h('div', { className: 'card' }, h('h2', {}, 'Scheduled jobs (UTC)'),
    table(['Command', 'Schedule', 'Last run', 'Status', 'Next run'], jobsBody));
  const runsCard = h('div', { className: 'card' }, h('h2', {}, 'Recent runs'),
    table(['Run', 'Command', 'Started', 'Status'], runsBody));
  replace(root, jobsCard, runsCard);
  const drawJobs = async () => {
    const jobs = await api<CronJob[]>('GET', `/apps/${app}/cron`);
    replace(jobsBody, ...jobs.map((j) => h('tr', { 'data-cron-job': j.job },
      h('td', { className: 'mono', 'data-testid': 'command' }, j.command),
      h('td', { className: 'mono', 'data-testid': 'schedule' }, j.schedule),
      h('td', { 'data-testid': 'last-run', title: j.lastRun?.startedAt ?? '' }, j.lastRun ? ago(j.lastRun.startedAt) : 'never run'),
      h('td', { 'data-testid': 'last-status' }, j.lastRun ? outcome(j.lastRun) : '',
        j.missed === 0 ? '' : h('span', { className: 'muted' }, ` · missed ${j.missed}, last due ${j.lastMissedAt ?? ''}`)),
      h('td', { 'data-testid': 'next-run', title: j.nextRun }, new Date(j.nextRun).toISOString().replace('T', ' ').slice(0, 16)))));
    if (jobs.length === 0) {
      replace(jobsBody, h('tr', {}, h('td', { colspan: 5, className: 'muted', 'data-testid': 'no-cron' },
        'No scheduled jobs: add "cron" to app.json, e.g. [{"command": "node jobs/digest.js", "schedule": "0 7 * * *"}]')));
    }
  };
  const drawRuns = async () => {
    const runs = await api<Run[]>('GET', `/apps/${app}/runs`);
    replace(runsBody, ...runs.map((r) => h('tr', { 'data-run': r.id },
      h('td', {}, String(r.id)),
      h('td', { className: 'mono' }, r.cronJob ? h('span', { className: 'muted' }, '[cron] ') : '', r.command),
      h('td', { title: r.startedAt }, ago(r.startedAt)),
      h('td', { 'data-testid': 'run-status' }, outcome(r)))));
    if (runs.length === 0) replace(runsBody, h('tr', {}, h('td', { colspan: 4, className: 'muted' }, `No runs yet: devflow run ${app} -- <command>`)));
  };
  const stop = every(POLL_MS, () => Promise.all([attempt(jobsCard, drawJobs), attempt(runsCard, drawRuns)]).then(() => undefined));
  return { dispose: stop };
}
