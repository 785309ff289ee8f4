/**
 * PUT on a table (docs.postgrest.org, "Tables and Views", "Upsert" with PUT): replace or create
 * the one row a URL names by its whole primary key. The filters must be exactly one `eq` per
 * primary-key column (PGRST105, 405), limit and offset make no sense on it (PGRST114), and the
 * body must be that one row: an object, or an array of one. The body's key values are compared
 * with the URL's in SQL, by the columns' types (plan-write.ts `matchFilters`): a statement that
 * wrote anything but one row answers PGRST115 and is rolled back (handle-table.ts).
 */
import { RestError } from './errors.js';
import type { QueryParams } from './request.js';
import type { Table } from './schema-cache.js';

export const putFiltersError = () =>
  new RestError(405, 'PGRST105', "Filters must include all and only primary key columns with 'eq' operators");
export const putMismatchError = () => new RestError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)');

/** Refuses a PUT whose query string does not name exactly one row by its primary key. */
export function checkPutQuery(table: Table, query: QueryParams): void {
  if (query.limit.size > 0 || query.offset.size > 0) {
    throw new RestError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT');
  }
  const conditions = query.conditions.get('') ?? [];
  const named = conditions.map((c) => (c.kind === 'filter' && c.op === 'eq' && !c.negate && !c.quantifier && c.field.json.length === 0 ? c.field.name : null));
  const pk = table.primaryKey;
  const exact = pk.length > 0 && named.length === pk.length && named.every((n) => n !== null && pk.includes(n)) && new Set(named).size === pk.length;
  if (!exact || [...query.conditions.keys()].some((path) => path !== '')) throw putFiltersError();
}

/** The PUT body as the one row it must be (the SQL then checks its key values). */
export function checkPutBody(json: unknown): Record<string, unknown> {
  const rows = Array.isArray(json) ? json : [json];
  const [row] = rows;
  if (rows.length !== 1 || row === null || typeof row !== 'object' || Array.isArray(row)) throw putMismatchError();
  return row as Record<string, unknown>;
}
