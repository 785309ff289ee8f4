/**
 * usage: what an app, or with --team a team's apps, used in a month (issue 20): instance-hours
 * by size, one-off runs, build minutes, requests, egress, database and storage sizes. Not an
 * "app command" (program.ts), so that `--team` needs no app: the app comes from the first
 * argument, -a/--app, or the git remote, as for app commands.
 */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { CliError } from '../errors.js';
import { print, type OutputOptions } from '../output.js';

interface UsageTotals {
  month: string; instanceSeconds: Record<string, number>; oneOffSeconds: Record<string, number>; buildSeconds: number;
  requests: number; egressBytes: number; databaseBytes: number; storageBytes: number;
}
interface UsageView extends UsageTotals { app: string }
interface TeamUsageView extends UsageTotals { team: string; apps: UsageView[] }

const hours = (seconds: number) => `${(seconds / 3600).toFixed(2)} h`;

/** Bytes in the largest unit (of 1,000) that keeps the number at 1 or more. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`;
}

function totalLines(u: UsageTotals): string[] {
  const sizes = (by: Record<string, number>) => Object.entries(by).map(([size, s]) => `  ${size.padEnd(12)} ${hours(s)}`);
  const instances = sizes(u.instanceSeconds);
  const runs = sizes(u.oneOffSeconds);
  return [
    'Instances:', ...(instances.length > 0 ? instances : ['  none']),
    ...(runs.length > 0 ? ['One-off runs:', ...runs] : []),
    `Builds:        ${(u.buildSeconds / 60).toFixed(1)} min`,
    `Requests:      ${u.requests}`,
    `Egress:        ${formatBytes(u.egressBytes)}`,
    `Database:      ${formatBytes(u.databaseBytes)} (largest)`,
    `Storage:       ${formatBytes(u.storageBytes)} (largest)`,
  ];
}

export function formatUsage(u: UsageView): string {
  return [`=== ${u.app} usage, ${u.month}`, ...totalLines(u)].join('\n');
}

export function formatTeamUsage(u: TeamUsageView): string {
  const apps = u.apps.map((a) => {
    const seconds = Object.values(a.instanceSeconds).reduce((n, s) => n + s, 0);
    return `  ${a.app.padEnd(24)} ${hours(seconds).padStart(10)}  ${String(a.requests).padStart(9)} req  ${formatBytes(a.egressBytes)}`;
  });
  return [`=== team ${u.team} usage, ${u.month}`, ...totalLines(u), 'Apps (instance-hours, requests, egress):', ...(apps.length > 0 ? apps : ['  none'])].join('\n');
}

type UsageOptions = OutputOptions & { month?: string; team?: string; app?: string };

export async function showUsage({ args, opts }: CommandInput<UsageOptions>): Promise<void> {
  const query = opts.month ? `?month=${encodeURIComponent(opts.month)}` : '';
  const client = createClient(process.env);
  if (opts.team !== undefined) {
    if (args[0] !== undefined || opts.app !== undefined) throw new CliError('pass an app or --team, not both', 'usage');
    const usage = await client.request<TeamUsageView>('GET', `/teams/${encodeURIComponent(opts.team)}/usage${query}`);
    print(opts, usage, () => formatTeamUsage(usage));
    return;
  }
  const app: string = args[0] ?? opts.app ?? await import('../app-name.js').then((m) => m.appFromGitRemote());
  const usage = await client.request<UsageView>('GET', `/apps/${encodeURIComponent(app)}/usage${query}`);
  print(opts, usage, () => formatUsage(usage));
}
