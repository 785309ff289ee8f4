/**
 * Log search (issue 18): an app's runtime lines that match a query (query-parser.ts) within a
 * time range, newest first or, when following, after a line id. The statement is built by a
 * pure function (`buildLogSearch`) and run as one parameterised query.
 */
import type { Sql } from '../../core/store/database.js';
import { toLine, type RuntimeLogLine, type RuntimeLogRow } from '../../core/store/runtime-logs.js';
import { parseLogQuery } from './query-parser.js';
import { compileLogQuery, type SqlCondition } from './query-sql.js';

export interface LogSearch {
  appId: number;
  /** The query language text; empty or absent matches every line. */
  query?: string;
  since?: Date;
  until?: Date;
  processType?: string;
  /** Only lines after this id, oldest first (following); otherwise the newest `limit`. */
  afterId?: number;
  limit: number;
}

/** A line found, with the fields of a JSON line (null for plain text). */
export interface FoundLogLine extends RuntimeLogLine {
  fields: Record<string, unknown> | null;
}

type Row = RuntimeLogRow & { fields: Record<string, unknown> | null };

/** The SELECT for a search; throws LogQueryError (with its column) for a bad query. */
export function buildLogSearch(search: LogSearch): SqlCondition {
  const params: string[] = [];
  const bind = (value: string): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = [`app_id = ${bind(String(search.appId))}::int`];
  if (search.since) where.push(`at >= ${bind(search.since.toISOString())}::timestamptz`);
  if (search.until) where.push(`at < ${bind(search.until.toISOString())}::timestamptz`);
  if (search.processType !== undefined) where.push(`process_type = ${bind(search.processType)}`);
  if (search.afterId !== undefined) where.push(`id > ${bind(String(search.afterId))}::bigint`);
  const node = parseLogQuery(search.query ?? '');
  if (node) {
    const condition = compileLogQuery(node, params.length);
    where.push(condition.text);
    params.push(...condition.params);
  }
  const order = search.afterId === undefined ? 'DESC' : 'ASC';
  const text = `SELECT id, instance, process_type, release, line, at, fields FROM runtime_logs WHERE ${where.join(' AND ')} ORDER BY id ${order} LIMIT ${bind(String(search.limit))}::int`;
  return { text, params };
}

/** The matching lines, oldest first. */
export async function searchLogs(sql: Sql, search: LogSearch): Promise<FoundLogLine[]> {
  const statement = buildLogSearch(search);
  const rows = await sql.unsafe<Row[]>(statement.text, statement.params);
  const lines = rows.map((r) => ({ ...toLine(r), fields: r.fields }));
  return search.afterId === undefined ? lines.reverse() : lines;
}
