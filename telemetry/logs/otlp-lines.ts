/**
 * Log lines an app sent over OTLP (otlp/logs.ts), written into the runtime log (runtime_logs) so
 * log search and `devflow logs` read them with the rest. Unlike the collector's lines they have
 * no read position to move.
 */
import type { NewLogLine } from '../../core/store/runtime-logs.js';
import type { Sql } from '../../core/store/database.js';

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const BATCH = 5_000;

export async function addLogLines(sql: Sql, lines: readonly NewLogLine[]): Promise<number> {
  for (let i = 0; i < lines.length; i += BATCH) {
    await sql`INSERT INTO runtime_logs ${sql(lines.slice(i, i + BATCH).map((l) => ({
      app_id: l.appId, instance: l.instance, process_type: l.processType, release: l.release, line: l.line, at: l.at,
    })))}`;
  }
  return lines.length;
}
