/**
 * Error groups (issue 18): exceptions recorded under their fingerprint (fingerprint.ts), from
 * any source: the stderr scanner (scanner.ts) and OpenTelemetry exception span events
 * (`exception.type`, `exception.message`, `exception.stacktrace`; span-events.ts, called by the
 * OTLP receiver), both through `recordException`.
 */
import type { Sql } from '../../core/store/database.js';
import { exceptionFingerprint } from './fingerprint.js';

export interface RecordedException {
  /** The app: its name (the stderr scanner) or its id (the OTLP receiver, whose token names the app). */
  app: string | number;
  /** The release it ran (vN's N), when known. */
  release: number | null;
  type: string;
  message: string;
  stack: string;
  at: Date;
  /** The trace it was raised in, when it came as a span event. */
  traceId?: string | null;
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
  /** The trace of the latest occurrence that came with one (a span event), else null. */
  sampleTraceId: string | null;
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
  sample_trace_id: string | null;
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
  const app = typeof e.app === 'number' ? sql`id = ${e.app}` : sql`name = ${e.app}`;
  await sql`
    INSERT INTO error_groups (app_id, fingerprint, type, message, sample_stack, first_seen, last_seen, first_release, last_release, sample_trace_id)
    SELECT id, ${fingerprint}, ${e.type}, ${e.message.slice(0, MAX_MESSAGE)}, ${e.stack.slice(0, MAX_STACK)}, ${e.at}, ${e.at}, ${e.release}, ${e.release}, ${e.traceId ?? null}
    FROM apps WHERE ${app}
    ON CONFLICT (app_id, fingerprint) DO UPDATE SET
      count = error_groups.count + 1,
      first_seen = LEAST(error_groups.first_seen, EXCLUDED.first_seen),
      last_seen = GREATEST(error_groups.last_seen, EXCLUDED.last_seen),
      first_release = LEAST(error_groups.first_release, EXCLUDED.first_release),
      last_release = GREATEST(error_groups.last_release, EXCLUDED.last_release),
      message = CASE WHEN EXCLUDED.last_seen >= error_groups.last_seen THEN EXCLUDED.message ELSE error_groups.message END,
      sample_stack = CASE WHEN EXCLUDED.last_seen >= error_groups.last_seen THEN EXCLUDED.sample_stack ELSE error_groups.sample_stack END,
      sample_trace_id = CASE WHEN EXCLUDED.sample_trace_id IS NOT NULL AND (error_groups.sample_trace_id IS NULL OR EXCLUDED.last_seen >= error_groups.last_seen)
        THEN EXCLUDED.sample_trace_id ELSE error_groups.sample_trace_id END`;
}

/** Several occurrences, one after the other (the OTLP receiver's span events of one request). */
export async function recordExceptions(sql: Sql, found: readonly RecordedException[]): Promise<void> {
  for (const e of found) await recordException(sql, e);
}

/** An app's error groups, the most recently seen first. */
export async function listErrorGroups(sql: Sql, appId: number, options: { since?: Date; limit?: number } = {}): Promise<ErrorGroup[]> {
  const rows = await sql<Row[]>`
    SELECT id, fingerprint, type, message, sample_stack, count, first_seen, last_seen, first_release, last_release, sample_trace_id
    FROM error_groups WHERE app_id = ${appId} ${options.since ? sql`AND last_seen >= ${options.since}` : sql``}
    ORDER BY last_seen DESC, id DESC LIMIT ${options.limit ?? 100}`;
  return rows.map((r) => ({
    id: Number(r.id), fingerprint: r.fingerprint, type: r.type, message: r.message, sampleStack: r.sample_stack, count: Number(r.count),
    firstSeen: r.first_seen, lastSeen: r.last_seen, firstRelease: r.first_release, lastRelease: r.last_release, sampleTraceId: r.sample_trace_id,
  }));
}
