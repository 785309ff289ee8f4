/**
 * pg:restore, pg:restores, pg:restore:promote, pg:restore:discard, pg:basebackup, pg:basebackups
 * (issue 21, addons/pitr): an app's database recovered to a time into a new database, which the
 * user then promotes (replacing the live data, after a safety backup) or discards.
 */
import type { BaseBackupView, PitrStatus, RestoreView } from '../../addons/index.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';
import { formatSize } from './backups.js';

const base = (app: string) => `/apps/${encodeURIComponent(app)}/pg`;
const shown = (iso: string | null) => (iso === null ? '—' : `${iso.slice(0, 19).replace('T', ' ')}`);

export function formatRestores(app: string, restores: RestoreView[]): string {
  if (restores.length === 0) return `${app} has no point-in-time restores: devflow pg:restore ${app} --to '2026-12-04 10:15:00'`;
  return [
    `=== ${app} point-in-time restores`,
    `${'ID'.padEnd(6)} ${'To (UTC)'.padEnd(20)} ${'State'.padEnd(10)} Database`,
    ...restores.map((r) => {
      const line = `${r.name.padEnd(6)} ${shown(r.to).padEnd(20)} ${r.state.padEnd(10)} ${r.database}`;
      return r.error ? `${line}\n       ${r.error}` : r.safetyBackup ? `${line}  (replaced data kept as ${r.safetyBackup})` : line;
    }),
  ].join('\n');
}

/** How often `pg:restore` asks how its restore is doing while DevFlow recovers it. */
const RESTORE_POLL_MS = 1000;

export async function restoreToTime({ app, opts }: CommandInput<OutputOptions & { to?: string }>): Promise<void> {
  if (!opts.to) throw new CliError(`say when: devflow pg:restore ${app} --to '2026-12-04 10:15:00' (UTC)`, 'usage');
  const client = createClient(process.env);
  const started = await client.request<RestoreView>('POST', `${base(app)}/restore`, { to: opts.to });
  if (!opts.json) process.stderr.write(`Recovering ${app}'s database as it was at ${shown(started.to)} UTC (${started.name}); this takes a while for a large cluster…\n`);
  // The API answers at once (202) and recovers in the background; the restore's row says how it went.
  let restore = started;
  while (restore.state === 'running') {
    await new Promise((r) => setTimeout(r, RESTORE_POLL_MS));
    const now = (await client.request<RestoreView[]>('GET', `${base(app)}/restores`)).find((r) => r.name === started.name);
    if (!now) throw new CliError(`restore ${started.name} of ${app} is gone: see devflow pg:restores ${app}`, 'failed');
    restore = now;
  }
  if (restore.state === 'failed') throw new CliError(`restoring ${app} to ${shown(restore.to)} UTC failed, and ${app}'s database was not touched: ${restore.error ?? 'see the DevFlow log'}`, 'failed');
  print(opts, restore, () => [
    `Recovered ${app}'s database as it was at ${shown(restore.to)} UTC into ${restore.database} (${restore.name}); ${app} still uses its live database.`,
    `  Put it in place (a safety backup of the live data is taken first): devflow pg:restore:promote ${app} ${restore.name} --confirm ${app}`,
    `  Or drop it: devflow pg:restore:discard ${app} ${restore.name}`,
  ].join('\n'));
}

export async function listRestores({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const restores = await createClient(process.env).request<RestoreView[]>('GET', `${base(app)}/restores`);
  print(opts, restores, () => formatRestores(app, restores));
}

export async function promoteRestore({ app, args: [ref], opts }: CommandInput<OutputOptions & { confirm?: string }>): Promise<void> {
  if (opts.confirm !== app) throw new CliError(`this replaces ${app}'s data (a safety backup is taken first); repeat its name to confirm: devflow pg:restore:promote ${app} ${ref} --confirm ${app}`, 'usage');
  const restore = await createClient(process.env).request<RestoreView>('POST', `${base(app)}/restores/${encodeURIComponent(ref!)}/promote`, { confirm: app });
  print(opts, restore, () => [
    `${app} now uses its database as it was at ${shown(restore.to)} UTC (${restore.name}).`,
    `  What it replaced is kept as ${app} ${restore.safetyBackup}: devflow pg:backups:restore ${app} ${restore.safetyBackup} --confirm ${app} undoes this.`,
  ].join('\n'));
}

export async function discardRestore({ app, args: [ref], opts }: CommandInput<OutputOptions>): Promise<void> {
  const restore = await createClient(process.env).request<RestoreView>('DELETE', `${base(app)}/restores/${encodeURIComponent(ref!)}`);
  print(opts, restore, () => `Discarded ${app} ${restore.name}: ${restore.database} is dropped, ${app}'s live database is as it was`);
}

export function formatBaseBackups(status: PitrStatus): string {
  if (status.baseBackups.length === 0) return 'No base backups yet: one is taken daily, or now with devflow pg:basebackup';
  return [
    `Restores can reach back to ${shown(status.earliest)} UTC`,
    `${'Label'.padEnd(22)} ${'Finished (UTC)'.padEnd(20)} ${'Kind'.padEnd(10)} ${'State'.padEnd(10)} Size`,
    ...status.baseBackups.map((b) => {
      const line = `${b.label.padEnd(22)} ${shown(b.finishedAt).padEnd(20)} ${b.kind.padEnd(10)} ${b.state.padEnd(10)} ${formatSize(b.bytes)}`;
      return b.error ? `${line}\n  ${b.error}` : line;
    }),
  ].join('\n');
}

export async function listBaseBackups({ opts }: CommandInput<OutputOptions>): Promise<void> {
  const status = await createClient(process.env).request<PitrStatus>('GET', '/pg/basebackups');
  print(opts, status, () => formatBaseBackups(status));
}

export async function takeBaseBackup({ opts }: CommandInput<OutputOptions>): Promise<void> {
  const backup = await createClient(process.env).request<BaseBackupView>('POST', '/pg/basebackups');
  print(opts, backup, () => `Base backup ${backup.label} written (${formatSize(backup.bytes)}); restores can reach times from ${shown(backup.finishedAt)} UTC on`);
}
