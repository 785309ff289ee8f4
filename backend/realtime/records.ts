/**
 * A decoded row change (pgoutput's text values) as Supabase Realtime sends it in a
 * `postgres_changes` message: `{ schema, table, commit_timestamp, type, columns: [{ name, type
 * }], record, old_record, errors }`. Numbers, booleans and JSON are sent as such, timestamps in
 * ISO 8601 as to_jsonb prints them; other values as PostgreSQL prints them, which realtime-js
 * converts by the column's type name (its convertChangeData: arrays). Pure.
 */

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';

export interface RowChange {
  type: ChangeType;
  schema: string;
  table: string;
  relationOid: number;
  columns: { name: string; type: string }[];
  keyColumns: string[];
  /** The new row (INSERT, UPDATE), text values; undefined marks an unchanged TOASTed value. */
  record: Record<string, string | null | undefined> | null;
  /** The old row: all columns under REPLICA IDENTITY FULL, else only the key (UPDATE of a key, DELETE). */
  old: Record<string, string | null | undefined> | null;
  commitTimestamp: string;
}

const NUMBER_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

export function jsonValue(type: string, text: string | null | undefined): unknown {
  if (text === null || text === undefined) return text;
  if (type === 'bool') return text === 't';
  if (NUMBER_TYPES.has(type)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  // As to_jsonb prints them (what Supabase's payloads carry): ISO 8601, offsets as ±HH:MM.
  if (type === 'timestamptz') return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  if (type === 'timestamp') return text.replace(' ', 'T');
  if (type === 'json' || type === 'jsonb') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function jsonRow(columns: RowChange['columns'], row: RowChange['record']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!row) return out;
  for (const { name, type } of columns) {
    if (row[name] !== undefined) out[name] = jsonValue(type, row[name]);
  }
  return out;
}

/** The row filters are matched against: the new row, or for a DELETE the old one (its key at least). */
export function filterRow(change: RowChange): Record<string, unknown> {
  return jsonRow(change.columns, change.type === 'DELETE' ? change.old : change.record);
}

/**
 * The message's `data`. `keysOnly` trims a DELETE's old row to the primary key, as Supabase
 * does on tables with RLS (a deleted row cannot be checked against the policies any more).
 */
export function changeMessage(change: RowChange, keysOnly: boolean): Record<string, unknown> {
  const data: Record<string, unknown> = {
    schema: change.schema, table: change.table, commit_timestamp: change.commitTimestamp, type: change.type,
    columns: change.columns, errors: null,
  };
  if (change.type !== 'DELETE') data.record = jsonRow(change.columns, change.record);
  if (change.type === 'DELETE' || (change.type === 'UPDATE' && change.old)) {
    const old = jsonRow(change.columns, change.old);
    data.old_record = keysOnly ? Object.fromEntries(change.keyColumns.filter((k) => k in old).map((k) => [k, old[k]])) : old;
  }
  return data;
}

/** pgoutput's commit time (microseconds since the Unix epoch, as the library reads it) in ISO 8601. */
export function commitTimestamp(micros: bigint): string {
  return new Date(Number(micros / 1000n)).toISOString();
}
