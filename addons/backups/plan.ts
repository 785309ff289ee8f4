/**
 * Pure rules of `pg:backups` (issue 21): how a backup is named and referred to, when the daily
 * backup of an app is due, which scheduled backups retention removes, and the name of the new
 * database a restore fills before it takes the live one's place.
 */
import { InvalidInputError } from '../../core/errors.js';

export type BackupKind = 'manual' | 'scheduled' | 'safety';
export type BackupState = 'running' | 'succeeded' | 'failed';

/** Daily, as Heroku's and Supabase's automatic backups. */
export const SCHEDULED_EVERY_MS = 24 * 60 * 60 * 1000;

/** `b007`: per app, in the order they were taken (Heroku's shape). */
export function backupName(number: number): string {
  return `b${String(number).padStart(3, '0')}`;
}

/** `b007`, `b7` or `7` → 7. */
export function parseBackupRef(text: string | undefined): number {
  const match = /^b?0*([1-9]\d{0,8})$/i.exec((text ?? '').trim());
  if (!match) {
    throw new InvalidInputError(`${JSON.stringify(text ?? '')} is not a backup: name one as \`devflow pg:backups\` lists it, e.g. b003`);
  }
  return Number(match[1]);
}

/** A scheduled backup is due when the app has none, or its newest started a day ago or more. */
export function scheduledBackupDue(newestScheduledStart: Date | undefined, now: Date): boolean {
  return newestScheduledStart === undefined || now.getTime() - newestScheduledStart.getTime() >= SCHEDULED_EVERY_MS;
}

export interface BackupSummary {
  number: number;
  kind: BackupKind;
  state: BackupState;
}

/**
 * Retention keeps the newest `keep` scheduled backups that succeeded; older scheduled ones and
 * failed scheduled ones behind them go. A running backup is never removed. Manual and safety
 * backups (the one a restore takes first) stay until someone deletes them.
 */
export function backupsToPrune(backups: readonly BackupSummary[], keep: number): number[] {
  const scheduled = backups.filter((b) => b.kind === 'scheduled' && b.state !== 'running').sort((a, b) => b.number - a.number);
  const kept: number[] = [];
  const pruned: number[] = [];
  for (const backup of scheduled) {
    if (backup.state === 'succeeded' && kept.length < keep) kept.push(backup.number);
    else if (kept.length > 0 || backup.state === 'succeeded') pruned.push(backup.number);
  }
  return pruned.sort((a, b) => a - b);
}

/** The database a restore fills first (app databases are at most 55 bytes, so this fits 63). */
export function restoringDatabaseName(liveDatabase: string): string {
  return `${liveDatabase.slice(0, 55)}_restore`;
}
