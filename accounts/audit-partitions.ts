/**
 * Keeps the audit log's monthly partitions (audit.ts) while DevFlow runs, not only at start: a
 * DevFlow started on the 20th and left running would otherwise write the next month's rows into
 * the default partition, which no month can then be made over (and retention cannot drop).
 * Every run makes this month's and next month's partitions, so next month's exists for weeks
 * before it starts, and drops the months past `keepMonths` (DEVFLOW_AUDIT_KEEP_MONTHS). The
 * clock is a parameter, so a test can walk it across months.
 */
import { errorMessage } from '../core/errors.js';
import { runPeriodically, type Periodic } from '../core/periodic.js';
import type { Sql } from '../core/store/database.js';
import { prepareAuditLog } from './audit.js';

/** Hourly: a month's partition is made weeks ahead, so the period only bounds retention's delay. */
export const AUDIT_PARTITIONS_EVERY_MS = 60 * 60_000;

export interface AuditPartitionOptions {
  keepMonths: number;
  now?: () => Date;
  everyMs?: number;
  log?: (line: string) => void;
}

/** One run: makes the partitions due and drops the expired ones; returns the names dropped. */
export async function keepAuditPartitions(sql: Sql, options: AuditPartitionOptions): Promise<string[]> {
  const dropped = await prepareAuditLog(sql, options.keepMonths, (options.now ?? (() => new Date()))());
  if (dropped.length > 0) options.log?.(`audit log: dropped ${dropped.join(', ')} (older than DEVFLOW_AUDIT_KEEP_MONTHS)`);
  return dropped;
}

/** A first run now (its failure fails the start), then one every `everyMs` in the background. */
export async function startAuditPartitionLoop(sql: Sql, options: AuditPartitionOptions): Promise<Periodic> {
  await keepAuditPartitions(sql, options);
  return runPeriodically(
    () => keepAuditPartitions(sql, options).then(() => undefined, (err) => options.log?.(`audit log partitions: ${errorMessage(err)}`)),
    options.everyMs ?? AUDIT_PARTITIONS_EVERY_MS,
  );
}
