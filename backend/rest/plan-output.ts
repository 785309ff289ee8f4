/**
 * The response body, rendered by PostgreSQL in the same statement as the query, as PostgREST
 * does: json_agg of the rows (bigint as JSON numbers, ranges and timestamps as their text), one
 * object for singular responses, or CSV from each row's record text. Each statement returns one
 * row: `total` (the exact count, when asked for), `page_total` (rows in this response), `body`.
 */
import type { Params } from './sql-text.js';

export type OutputFormat = 'json' | 'object' | 'csv';

export interface Output {
  format: OutputFormat;
  /** `nulls=stripped`: keys with null values are left out. */
  stripNulls: boolean;
}

/** The body expression over the rows of `pgrst_t`; `names` are the columns, for CSV's header. */
export function bodySql(output: Output, names: string[], params: Params): string {
  const row = output.stripNulls ? 'json_strip_nulls(row_to_json(pgrst_t))' : 'pgrst_t';
  switch (output.format) {
    case 'json':
      return `coalesce(json_agg(${row}), '[]')::text`;
    case 'object':
      return `(json_agg(${row}) -> 0)::text`;
    case 'csv': {
      const header = names.map(csvField).join(',');
      return `${params.add(header)} || chr(10) || coalesce(string_agg(substring(pgrst_t::text, 2, length(pgrst_t::text) - 2), chr(10)), '')`;
    }
  }
}

function csvField(name: string): string {
  return /[",\n\r]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

/** Wraps `rows` (a SELECT of the response's rows) into the one-row answer. */
export function wrapRows(rows: string, body: string, countSql: string | null): string {
  return `SELECT ${countSql ?? 'NULL::bigint'} AS total, count(*) AS page_total, ${body} AS body FROM (${rows}) AS pgrst_t`;
}
