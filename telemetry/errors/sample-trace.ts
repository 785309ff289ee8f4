/**
 * A sample trace for an error group (issue 18): the exceptions found in stderr carry no trace
 * context, so the sample is the failed request (an entry span with error status) that started
 * closest before the group's last occurrence, within a few minutes; none when no such request
 * was traced. Read with the entry-time index of `spans` (migration 026).
 */
import type { Sql } from '../../core/store/database.js';

/** How far before an exception a failed request may have started to count as its sample. */
const WINDOW_MS = 5 * 60_000;
const STATUS_ERROR = 2;

export async function sampleTraceNear(sql: Sql, appId: number, at: Date): Promise<string | null> {
  const from = new Date(at.getTime() - WINDOW_MS);
  // The exception is logged while the request is still open; its span may start a moment later than
  // the stderr line is stamped only by clock skew between the router and the collector: allow a second.
  const to = new Date(at.getTime() + 1000);
  const [row] = await sql<Array<{ trace_id: string }>>`
    SELECT trace_id FROM spans
    WHERE app_id = ${appId} AND entry AND start_time >= ${from} AND start_time <= ${to} AND status_code = ${STATUS_ERROR}
    ORDER BY start_time DESC LIMIT 1`;
  return row?.trace_id ?? null;
}
