/**
 * pg:backups, pg:backups:capture, pg:backups:restore, pg:backups:download, pg:backups:delete
 * (issue 21, Heroku's shape): logical backups of an app's database. A restore replaces the
 * target app's data (after a safety backup), so it asks for the target's name again.
 */
import fs from 'node:fs';
import type { BackupView, RestoreResult } from '../../addons/index.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

const base = (app: string) => `/apps/${encodeURIComponent(app)}/pg/backups`;

export function formatSize(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatBackups(app: string, backups: BackupView[]): string {
  if (backups.length === 0) return `${app} has no backups yet: devflow pg:backups:capture ${app} (a daily one is taken by itself)`;
  return [
    `=== ${app} backups`,
    `${'ID'.padEnd(6)} ${'Taken (UTC)'.padEnd(20)} ${'Kind'.padEnd(10)} ${'State'.padEnd(10)} Size`,
    ...backups.map((b) => {
      const line = `${b.name.padEnd(6)} ${b.startedAt.slice(0, 19).replace('T', ' ').padEnd(20)} ${b.kind.padEnd(10)} ${b.state.padEnd(10)} ${formatSize(b.bytes)}`;
      return b.state === 'failed' ? `${line}\n       ${b.error}` : b.note ? `${line}  (${b.note})` : line;
    }),
  ].join('\n');
}

export async function listBackups({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const backups = await createClient(process.env).request<BackupView[]>('GET', base(app));
  print(opts, backups, () => formatBackups(app, backups));
}

export async function captureBackup({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const backup = await createClient(process.env).request<BackupView>('POST', base(app));
  print(opts, backup, () => `Backed up ${app}'s database as ${backup.name} (${formatSize(backup.bytes)}, sha256 ${backup.sha256})`);
}

export async function restoreBackup({ app, args: [ref], opts }: CommandInput<OutputOptions & { toApp?: string; confirm?: string }>): Promise<void> {
  const target = opts.toApp ?? app;
  if (opts.confirm !== target) {
    const to = opts.toApp ? ` --to-app ${target}` : '';
    throw new CliError(`this replaces ${target}'s data (a safety backup is taken first); repeat its name to confirm: devflow pg:backups:restore ${app} ${ref}${to} --confirm ${target}`, 'usage');
  }
  const body = opts.toApp ? { toApp: target, confirm: target } : { confirm: target };
  const result = await createClient(process.env).request<RestoreResult>('POST', `${base(app)}/${encodeURIComponent(ref!)}/restore`, body);
  print(opts, result, () => [
    `Restored ${app} ${result.restored.name} into ${result.into}'s database.`,
    `  What it replaced is kept as ${result.into} ${result.safety.name}: devflow pg:backups:restore ${result.into} ${result.safety.name} --confirm ${result.into} undoes this.`,
  ].join('\n'));
}

export async function downloadBackup({ app, args: [ref], opts }: CommandInput<{ output?: string }>): Promise<void> {
  const file = opts.output ?? `${app}-${ref}.dump`;
  // The file holds every row of the app's database: readable by its owner only.
  const headers = await createClient(process.env).download(`${base(app)}/${encodeURIComponent(ref!)}/download`, fs.createWriteStream(file, { mode: 0o600 }));
  console.log(`Wrote ${file} (sha256 ${String(headers['x-checksum-sha256'])}); restore it elsewhere with pg_restore --no-owner --dbname <url> ${file}`);
}

export async function deleteBackup({ app, args: [ref], opts }: CommandInput<{ confirm?: string }>): Promise<void> {
  if (opts.confirm !== app) throw new CliError(`this deletes the backup's file; repeat the app's name to confirm: devflow pg:backups:delete ${app} ${ref} --confirm ${app}`, 'usage');
  const deleted = await createClient(process.env).request<BackupView>('DELETE', `${base(app)}/${encodeURIComponent(ref!)}`);
  console.log(`Deleted ${app} ${deleted.name}`);
}
