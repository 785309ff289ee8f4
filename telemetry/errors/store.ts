/**
 * Error groups (issue 18): exceptions recorded under their fingerprint (fingerprint.ts), from
 * any source: the stderr scanner (scanner.ts) today, OpenTelemetry exception span events
 * (`exception.type`, `exception.message`, `exception.stacktrace`) through the same
 * `recordException`.
 */
import type { Sql } from '../../core/store/database.js';
import { exceptionFingerprint } from './fingerprint.js';

export interface RecordedException {
  /** The app's name. */
  app: string;
  /** The release it ran (vN's N), when known. */
  release: number | null;
  type: string;
  message: string;
  stack: string;
  at: Date;
}

export interface ErrorGroup {
  id: number;
  fingerprint: string;
  type: string;
  message: string;
  sampleStack: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  firstRelease: number | null;
  lastRelease: number | null;
}

interface Row {
  id: string;
  fingerprint: string;
  type: string;
  message: string;
  sample_stack: string;
  count: string;
  first_seen: Date;
  last_seen: Date;
  first_release: number | null;
  last_release: number | null;
}

/** Longest message and stack kept: a sample, not an archive. */
const MAX_MESSAGE = 1000;
const MAX_STACK = 16_000;

/**
 * Counts one occurrence in its group, creating the group at the first. The sample (message and
 * stack) is the latest occurrence's; an app that no longer exists records nothing.
 */
export async function recordException(sql: Sql, e: RecordedException): Promise<void> {
  const fingerprint = exceptionFingerprint(e.type, e.stack);
  await sql`
    INSERT INTO error_groups (app_id, fingerprint, type, message, sample_stack, first_seen, last_seen, first_release, last_release)
    SELECT id, ${fingerprint}, ${e.type}, ${e.message.slice(0, MAX_MESSAGE)}, ${e.stack.slice(0, MAX_STACK)}, ${e.at}, ${e.at}, ${e.release}, ${e.release}
    FROM apps WHERE name = ${e.app}
    ON CONFLICT (app_id, fingerprint) DO UPDATE SET
      count = error_groups.count + 1,
      first_seen = LEAST(error_groups.first_seen, EXCLUDED.first_seen),
      last_seen = GREATEST(error_groups.last_seen, EXCLUDED.last_seen),
      first_release = LEAST(error_groups.first_release, EXCLUDED.first_release),
      last_release = GREATEST(error_groups.last_release, EXCLUDED.last_release),
      message = CASE WHEN EXCLUDED.last_seen >= error_groups.last_seen THEN EXCLUDED.message ELSE error_groups.message END,
      sample_stack = CASE WHEN EXCLUDED.last_seen >= error_groups.last_seen THEN EXCLUDED.sample_stack ELSE error_groups.sample_stack END`;
}

/** An app's error groups, the most recently seen first. */
export async function listErrorGroups(sql: Sql, appId: number, options: { since?: Date; limit?: number } = {}): Promise<ErrorGroup[]> {
  const rows = await sql<Row[]>`
    SELECT id, fingerprint, type, message, sample_stack, count, first_seen, last_seen, first_release, last_release
    FROM error_groups WHERE app_id = ${appId} ${options.since ? sql`AND last_seen >= ${options.since}` : sql``}
    ORDER BY last_seen DESC, id DESC LIMIT ${options.limit ?? 100}`;
  return rows.map((r) => ({
    id: Number(r.id), fingerprint: r.fingerprint, type: r.type, message: r.message, sampleStack: r.sample_stack, count: Number(r.count),
    firstSeen: r.first_seen, lastSeen: r.last_seen, firstRelease: r.first_release, lastRelease: r.last_release,
  }));
}
