/**
 * The database studio's SQL editor (issue 17): a piece of SQL an operator typed, run in the app's
 * database as its owner (the role its DATABASE_URL names; Supabase's editor runs as `postgres`),
 * in one transaction with a statement timeout, over the simple query protocol so that several
 * statements may be sent at once. The answer is the last statement's: its command, row count and
 * at most `maxRows` rows as arrays (two columns may share a name, as in `select 1 a, 2 a`).
 */
import { InvalidInputError } from '../../core/errors.js';
import type { Sql } from '../../core/store/database.js';

export interface QueryResult {
  command: string;
  rowCount: number;
  columns: string[];
  rows: unknown[][];
  /** True when the statement returned more rows than are shown. */
  truncated: boolean;
}

export interface QueryLimits {
  timeoutMs: number;
  maxRows: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { timeoutMs: 30_000, maxRows: 1000 };

/** What PostgreSQL said, with where in the text it points (`position` is 1-based, in characters). */
export class SqlError extends InvalidInputError {
  constructor(readonly sqlState: string, message: string, readonly line: number | undefined, readonly column: number | undefined) {
    super(line === undefined ? `${sqlState}: ${message}` : `${sqlState}: ${message} (line ${line}, column ${column})`);
  }
}

/** 1-based line and column of a 1-based character position in `text`. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = [...text].slice(0, Math.max(0, position - 1)).join('');
  const lines = before.split('\n');
  return { line: lines.length, column: [...lines.at(-1)!].length + 1 };
}

interface ResultArray extends Array<unknown> {
  command?: string;
  count?: number | null;
  columns?: Array<{ name: string }>;
}

/** The simple protocol answers several statements with an array of results; one with a result. */
function lastResult(result: ResultArray): ResultArray {
  if (result.command === undefined && Array.isArray(result.at(-1))) return result.at(-1) as ResultArray;
  return result;
}

/** JSON for what the driver made of a value: dates as ISO text, bytes as PostgreSQL's hex form. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return value;
}

export async function runQuery(sql: Sql, text: string, limits: QueryLimits = DEFAULT_QUERY_LIMITS): Promise<QueryResult> {
  if (text.trim() === '') throw new InvalidInputError('the query is empty: type some SQL');
  try {
    return await sql.begin(async (tx) => {
      await tx`SELECT set_config('statement_timeout', ${String(limits.timeoutMs)}, true)`;
      const result = lastResult((await tx.unsafe(text).simple().values()) as unknown as ResultArray);
      const rows = (result as unknown[][]).slice(0, limits.maxRows).map((row) => row.map(jsonValue));
      return {
        command: result.command ?? '',
        rowCount: result.count ?? result.length,
        columns: (result.columns ?? []).map((c) => c.name),
        rows,
        truncated: result.length > limits.maxRows,
      };
    });
  } catch (err) {
    const pg = err as { code?: unknown; message?: string; position?: unknown };
    if (typeof pg.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pg.code)) throw err;
    const at = typeof pg.position === 'string' || typeof pg.position === 'number' ? lineAndColumn(text, Number(pg.position)) : undefined;
    throw new SqlError(pg.code, pg.message ?? 'the query failed', at?.line, at?.column);
  }
}
