/**
 * Pure rules of point-in-time recovery (issue 21): which base backup a restore to a time starts
 * from and the earliest time one can reach, when the daily base backup is due, which base
 * backups and archived WAL segments retention removes, and how restores are named.
 *
 * Facts of PostgreSQL these rest on (manual, "Continuous Archiving and Point-in-Time Recovery"):
 * a base backup is consistent only from the moment it ended, so the earliest time it can be
 * recovered to is its finish; replay needs every WAL segment from the backup's start onwards;
 * segment file names are timeline, then log and segment number, each 8 hex digits (16 MB segments).
 */
import { ConflictError, InvalidInputError } from '../../core/errors.js';

/** Daily, as the logical backups. */
export const BASE_BACKUP_EVERY_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const SEGMENT_BYTES = 16 * 1024 * 1024;

export type BaseBackupState = 'running' | 'succeeded' | 'failed';

export interface BaseBackupSummary {
  id: number;
  state: BaseBackupState;
  startedAt: Date;
  finishedAt: Date | null;
  /** The first WAL segment replay from this backup needs (from its manifest). */
  startWal: string | null;
}

/**
 * `2026-12-04 10:15:00` (UTC, as `pg:backups` shows times), with optional seconds and fraction,
 * `T` instead of the space, and an optional zone (`Z`, `+01:00`, `-0500`).
 */
export function parseTargetTime(text: string | undefined, now: Date): Date {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i.exec((text ?? '').trim());
  const zone = match?.[3] === undefined || /^(z|utc)$/i.test(match[3]) ? 'Z' : match[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const time = match ? new Date(`${match[1]}T${match[2]}${zone}`) : new Date(NaN);
  if (Number.isNaN(time.getTime())) {
    throw new InvalidInputError(`${JSON.stringify(text ?? '')} is not a time: give one like '2026-12-04 10:15:00' (UTC) or '2026-12-04T10:15:00+01:00'`);
  }
  if (time.getTime() >= now.getTime()) {
    throw new InvalidInputError(`${formatTime(time)} is in the future (it is ${formatTime(now)} now): a restore reaches back, from the earliest time pg:restore names up to a moment ago`);
  }
  return time;
}

/** As times are shown to users: `2026-12-04 10:15:00.123 UTC`. */
export function formatTime(time: Date): string {
  return `${time.toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '')} UTC`;
}

/** The earliest time any kept base backup can be recovered to: the finish of the oldest one. */
export function earliestRestorable(backups: readonly BaseBackupSummary[]): Date | undefined {
  const finishes = usable(backups).map((b) => b.finishedAt!.getTime());
  return finishes.length === 0 ? undefined : new Date(Math.min(...finishes));
}

/**
 * The base backup a restore to `target` starts from: the newest that had finished by then
 * (the less WAL to replay, the faster). Before the oldest one's finish, no restore is possible.
 */
export function baseBackupFor<T extends BaseBackupSummary>(backups: readonly T[], target: Date): T {
  const candidates = backups.filter((b) => b.state === 'succeeded' && b.finishedAt !== null && b.finishedAt.getTime() <= target.getTime());
  if (candidates.length > 0) return candidates.reduce((a, b) => (b.finishedAt!.getTime() > a.finishedAt!.getTime() ? b : a));
  const earliest = earliestRestorable(backups);
  if (earliest === undefined) {
    throw new ConflictError('there is no base backup yet to restore from: one is taken daily, or now with `devflow pg:basebackup`');
  }
  throw new InvalidInputError(`${formatTime(target)} is before the oldest base backup: the earliest time a restore can reach is ${formatTime(earliest)}`);
}

/** A base backup is due when none succeeded or started, or the newest started a day ago or more. */
export function baseBackupDue(newestStart: Date | undefined, now: Date): boolean {
  return newestStart === undefined || now.getTime() - newestStart.getTime() >= BASE_BACKUP_EVERY_MS;
}

/**
 * Retention: restores must reach `keepDays` back, so every base backup that finished inside the
 * window stays, and so does the newest one that finished before it (a time just inside the
 * window is recovered from that one). Older succeeded ones go, and failed ones once outside the
 * window. A running backup is never removed, and the newest succeeded one always stays.
 */
export function baseBackupsToPrune(backups: readonly BaseBackupSummary[], now: Date, keepDays: number): number[] {
  const cutoff = now.getTime() - keepDays * DAY_MS;
  const before = usable(backups).filter((b) => b.finishedAt!.getTime() < cutoff).sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime());
  const pruned = before.slice(1).map((b) => b.id);
  const staleFailures = backups.filter((b) => b.state === 'failed' && b.startedAt.getTime() < cutoff).map((b) => b.id);
  return [...pruned, ...staleFailures].sort((a, b) => a - b);
}

/**
 * Archived files no kept base backup needs: segments (and their `.partial` and `.backup`
 * companions) before `oldestNeeded`, the start segment of the oldest kept base backup. As
 * pg_archivecleanup, the timeline is not compared (a segment of any timeline that precedes the
 * position is older); `.history` files are small and kept: recovery reads them to follow timelines.
 */
export function walToPrune(files: readonly string[], oldestNeeded: string): string[] {
  if (!isSegmentName(oldestNeeded)) throw new InvalidInputError(`${oldestNeeded} is not a WAL segment name`);
  const position = oldestNeeded.slice(8);
  return files.filter((file) => {
    const match = /^([0-9A-F]{24})(?:\.partial|\.[0-9A-F]{8}\.backup)?$/.exec(file);
    return match !== null && match[1]!.slice(8) < position;
  }).sort();
}

export function isSegmentName(name: string): boolean {
  return /^[0-9A-F]{24}$/.test(name);
}

/** The segment file holding `lsn` (`16/B374D848`) on `timeline`, for 16 MB segments (the default). */
export function walFileName(timeline: number, lsn: string): string {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(lsn);
  if (!match) throw new InvalidInputError(`${lsn} is not a WAL position`);
  const high = parseInt(match[1]!, 16);
  const segment = Math.floor(parseInt(match[2]!, 16) / SEGMENT_BYTES);
  return [timeline, high, segment].map((n) => n.toString(16).toUpperCase().padStart(8, '0')).join('');
}

/** `r002`: per app, in the order restores were asked for. */
export function restoreName(number: number): string {
  return `r${String(number).padStart(3, '0')}`;
}

/** `r002`, `r2` or `2` → 2. */
export function parseRestoreRef(text: string | undefined): number {
  const match = /^r?0*([1-9]\d{0,6})$/i.exec((text ?? '').trim());
  if (!match) throw new InvalidInputError(`${JSON.stringify(text ?? '')} is not a restore: name one as \`devflow pg:restores\` lists it, e.g. r001`);
  return Number(match[1]);
}

/** The new database a restore fills (app databases are at most 55 bytes: this fits 63). */
export function restoredDatabaseName(liveDatabase: string, number: number): string {
  return `${liveDatabase.slice(0, 54)}_r${number}`;
}

/** A label for a base backup's folder that sorts by time: `20261204T101500.123Z`. */
export function baseBackupLabel(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '');
}

function usable(backups: readonly BaseBackupSummary[]): BaseBackupSummary[] {
  return backups.filter((b) => b.state === 'succeeded' && b.finishedAt !== null);
}
