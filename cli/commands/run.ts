/**
 * run, runs, runs:logs (issue 21): `devflow run shop -- node scripts/migrate.js` runs the
 * command once in the app's current release and prints its output as it comes; the CLI exits
 * with the command's exit code. Ctrl-C (or a lost connection) ends the run, unless --detach.
 * `--tty` gives an interactive terminal instead (run-tty.ts).
 */
import type { CronJobView, RunRecord } from '../../addons/index.js';
import { CliError, createClient, resolveToken } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

const path = (app: string) => `/apps/${encodeURIComponent(app)}/runs`;

interface RunEvent {
  run?: RunRecord;
  line?: string;
  exit?: number | null;
  state?: string;
}

/** Splits the NDJSON stream into events, across chunk boundaries. */
export function ndjsonReader(onEvent: (event: RunEvent) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim() !== '') onEvent(JSON.parse(line) as RunEvent);
    }
  };
}

/** The CLI's exit status for how the run ended: its own exit code, else 1. */
export function exitStatusOf(exit: number | null | undefined, state: string | undefined): number {
  if (typeof exit === 'number' && state !== 'timed-out') return exit;
  return 1;
}

export async function runCommand({ app, args, opts }: CommandInput<{ detach?: boolean; tty?: boolean }>): Promise<void> {
  const command = args.join(' ');
  if (command.trim() === '') throw new CliError(`name the command to run: devflow run ${app} -- node scripts/migrate.js`, 'usage');
  if (opts.tty && opts.detach) throw new CliError('--tty and --detach do not go together: a terminal needs you attached', 'usage');
  const client = createClient(process.env);
  if (opts.tty) {
    const token = resolveToken(process.env);
    if (!token) throw new CliError('no token: set DEVFLOW_TOKEN (the admin token is in $DEVFLOW_HOME/admin-token)', 'no_token');
    const { attachProcessTerminal } = await import('./run-tty.js');
    process.exitCode = await attachProcessTerminal({ base: client.base, token, app, command });
    return;
  }
  if (opts.detach) {
    const run = await client.request<RunRecord>('POST', path(app), { command, detach: true });
    console.log(`Running ${command} on ${app} (run ${run.id}, v${run.release}), detached: devflow runs:logs ${app} ${run.id}`);
    return;
  }
  let ended: RunEvent | undefined;
  await client.stream(path(app), ndjsonReader((event) => {
    if (event.line !== undefined) process.stdout.write(`${event.line}\n`);
    else if (event.run) process.stderr.write(`Running ${command} on ${app} (run ${event.run.id}, v${event.run.release})\n`);
    else if (event.state !== undefined) ended = event;
  }), { command, detach: false });
  if (!ended) throw new CliError('the connection to DevFlow ended before the run did', 'failed');
  if (ended.state === 'timed-out') process.stderr.write(' !    the run timed out\n');
  process.exitCode = exitStatusOf(ended.exit, ended.state);
}

export async function listRuns({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const runs = await createClient(process.env).request<RunRecord[]>('GET', path(app));
  print(opts, runs, () => runs.length === 0 ? `${app} has no runs yet: devflow run ${app} -- <command>` : runs.map((r) =>
    `${String(r.id).padEnd(6)} ${r.state.padEnd(11)} ${r.exitCode === null ? '-' : `exit ${r.exitCode}`}\t${r.startedAt}\t${r.cronJob ? '[cron] ' : ''}${r.command}`).join('\n'));
}

export async function showRunLogs({ app, args: [id], opts }: CommandInput<OutputOptions>): Promise<void> {
  const run = await createClient(process.env).request<RunRecord>('GET', `${path(app)}/${encodeURIComponent(id!)}`);
  print(opts, run, () => [...run.output, `(run ${run.id}: ${run.state}${run.exitCode === null ? '' : `, exit ${run.exitCode}`})`].join('\n'));
}

export function formatCron(app: string, jobs: CronJobView[]): string {
  if (jobs.length === 0) return `${app} has no scheduled jobs: add "cron" to app.json, e.g. [{"command": "node jobs/digest.js", "schedule": "0 7 * * *"}]`;
  return [`=== ${app} scheduled jobs (UTC)`, ...jobs.map((j) => {
    const last = j.lastRun === null ? 'never run' : `last run ${j.lastRun.startedAt} ${j.lastRun.state}${j.lastRun.exitCode === null ? '' : ` (exit ${j.lastRun.exitCode})`}`;
    const missed = j.missed === 0 ? '' : `\n  missed ${j.missed} run(s), last due ${j.lastMissedAt}`;
    return `${j.schedule.padEnd(16)} ${j.command}\n  ${last}; next ${j.nextRun}${missed}`;
  })].join('\n');
}

export async function listCron({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const jobs = await createClient(process.env).request<CronJobView[]>('GET', `/apps/${encodeURIComponent(app)}/cron`);
  print(opts, jobs, () => formatCron(app, jobs));
}
