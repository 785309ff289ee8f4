/**
 * Requests on `/rest/v1/<table>`: GET/HEAD read, POST inserts or upserts, PUT upserts the one row
 * its primary-key filters name (plan-put.ts), PATCH updates, DELETE
 * deletes (the last two only with a filter, as Supabase's safeupdate makes PostgREST answer).
 * Each turns headers and body into a planner input, runs the plan, and writes the answer with
 * PostgREST's statuses and headers.
 */
import type { IncomingMessage } from 'node:http';
import { columnNotFound, RestError, tableNotFound } from './errors.js';
import { contentRange, contentType, parseRange, type Preferences } from './headers.js';
import type { Output } from './plan-output.js';
import { checkPutBody, checkPutQuery, putMismatchError } from './plan-put.js';
import { planRead } from './plan-read.js';
import { planWrite, type Mutation, type WritePlan } from './plan-write.js';
import type { QueryParams } from './request.js';
import { findColumn, tableKey, type SchemaCache, type Table } from './schema-cache.js';
import { singularCheck, singularError, type Answer, type Planned } from './planned.js';
import { plannedCount, runStatement, type StatementResult } from './execute.js';

export interface TableRequest {
  req: IncomingMessage;
  schema: string;
  name: string;
  query: QueryParams;
  output: Output;
  prefs: Preferences;
  body: string;
  maxRows: number | null;
}

export function findTable(cache: SchemaCache, schema: string, name: string): Table {
  const table = cache.tables.get(tableKey(schema, name));
  if (table) return table;
  const near = [...cache.tables.values()].find((t) => t.schema === schema && t.name.toLowerCase() === name.toLowerCase());
  throw tableNotFound(schema, name, near ? `Perhaps you meant the table '${schema}.${near.name}'` : null);
}

export function pageOf(r: TableRequest, read: boolean): { offset: number; limit: number | undefined } {
  const range = read && r.req.method === 'GET' ? parseRange(r.req.headers.range as string | undefined) : null;
  const offset = (range?.offset ?? 0) + (r.query.offset.get('') ?? 0);
  const limits = [range?.limit, r.query.limit.get(''), r.maxRows ?? undefined].filter((n): n is number => n !== undefined);
  return { offset, limit: limits.length > 0 ? Math.min(...limits) : undefined };
}

export function planTableRequest(cache: SchemaCache, r: TableRequest): Planned {
  const table = findTable(cache, r.schema, r.name);
  switch (r.req.method) {
    case 'GET':
    case 'HEAD':
      return planGet(cache, table, r);
    case 'POST':
      return planMutation(cache, table, r, insertOf(table, r), 201);
    case 'PUT':
      return planMutation(cache, table, r, putOf(table, r), 200);
    case 'PATCH':
      requireFilters(r, 'UPDATE');
      return planMutation(cache, table, r, updateOf(table, r), 200);
    case 'DELETE':
      requireFilters(r, 'DELETE');
      return planMutation(cache, table, r, { kind: 'delete' }, 200);
    default:
      throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${r.req.method}`);
  }
}

function planGet(cache: SchemaCache, table: Table, r: TableRequest): Planned {
  const { offset, limit } = pageOf(r, true);
  const plan = planRead(cache, { table, query: r.query, output: r.output, count: r.prefs.count ?? null, limit, offset });
  return {
    readOnly: true,
    async run(tx) {
      const planned = plan.explainText ? await plannedCount(tx, plan.explainText, plan.explainParams ?? []) : null;
      const result = await runStatement(tx, plan.text, plan.params);
      if (r.prefs.count === 'planned') result.total = planned;
      if (r.prefs.count === 'estimated' && planned !== null && r.maxRows !== null && planned > r.maxRows) result.total = planned;
      return result;
    },
    keep: () => true,
    answer: (result) => readAnswer(r, result, offset),
  };
}

function readAnswer(r: TableRequest, result: StatementResult, offset: number): Answer {
  if (!singularCheck(r.output, result)) throw singularError(result);
  const total = result.total;
  if (total !== null && offset > 0 && offset >= total) {
    throw new RestError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${offset} was requested, but there are only ${total} rows.`,
      null, { 'content-range': `*/${total}` });
  }
  const status = total !== null && result.pageTotal < total ? 206 : 200;
  const headers: Record<string, string> = { 'content-type': contentType(r.output), 'content-range': contentRange(offset, result.pageTotal, total) };
  if (r.prefs.count) headers['preference-applied'] = `count=${r.prefs.count}`;
  return { status, headers, body: result.body ?? '' };
}

function requireFilters(r: TableRequest, verb: 'UPDATE' | 'DELETE'): void {
  // Supabase runs PostgREST with pg-safeupdate: a whole-table UPDATE or DELETE is refused.
  if ((r.query.conditions.get('') ?? []).length === 0) throw new RestError(400, '21000', `${verb} requires a WHERE clause`);
}

function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body === '' ? 'null' : body);
  } catch (err) {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json', err instanceof Error ? err.message : null);
  }
}

function checkedColumns(table: Table, names: string[]): string[] {
  for (const name of names) if (!findColumn(table, name)) throw columnNotFound(name, table.name);
  return names;
}

function insertOf(table: Table, r: TableRequest): Mutation {
  const json = parseJsonBody(r.body);
  const objects = Array.isArray(json) ? json : [json];
  if (objects.some((o) => o === null || typeof o !== 'object' || Array.isArray(o))) {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json', 'The body must be a JSON object or an array of objects');
  }
  let columns = r.query.columns;
  if (!columns) {
    const keys = Object.keys(objects[0] ?? {});
    const same = (o: object) => Object.keys(o).length === keys.length && keys.every((k) => k in o);
    if (!objects.every(same)) throw new RestError(400, 'PGRST102', 'All object keys must match');
    columns = keys;
  }
  const mutation: Mutation = { kind: 'insert', body: r.body, columns: checkedColumns(table, columns), missingDefault: r.prefs.missingDefault };
  if (r.prefs.resolution) {
    const onConflict = checkedColumns(table, r.query.onConflict ?? table.primaryKey);
    if (onConflict.length > 0) mutation.upsert = { resolution: r.prefs.resolution, onConflict };
  }
  return mutation;
}

function putOf(table: Table, r: TableRequest): Mutation {
  checkPutQuery(table, r.query);
  const row = checkPutBody(parseJsonBody(r.body));
  const columns = checkedColumns(table, r.query.columns ?? Object.keys(row));
  return { kind: 'insert', body: r.body, columns, missingDefault: false, upsert: { resolution: 'merge', onConflict: table.primaryKey }, matchFilters: true };
}

function updateOf(table: Table, r: TableRequest): Mutation {
  const json = parseJsonBody(r.body);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json', 'The body of an update must be a JSON object');
  }
  return { kind: 'update', body: r.body, columns: checkedColumns(table, r.query.columns ?? Object.keys(json)) };
}

function planMutation(cache: SchemaCache, table: Table, r: TableRequest, mutation: Mutation, status: number): Planned {
  const returning = r.prefs.return ?? 'minimal';
  const plan: WritePlan = planWrite(cache, { table, query: r.query, output: r.output, returning, mutation });
  // PUT writes exactly the row its URL names: a body whose key differs wrote nothing (PGRST115).
  const exactlyOne = mutation.kind === 'insert' && mutation.matchFilters === true;
  return {
    readOnly: false,
    run: (tx) => runStatement(tx, plan.text, plan.params, plan.returnsRows),
    keep: (result) => !r.prefs.rollback && (!exactlyOne || result.affected === 1) && (returning !== 'representation' || singularCheck(r.output, result)),
    answer(result) {
      if (exactlyOne && result.affected !== 1) throw putMismatchError();
      if (returning === 'representation' && !singularCheck(r.output, result)) throw singularError(result);
      const headers: Record<string, string> = { 'content-range': `*/${r.prefs.count ? result.affected : '*'}` };
      const applied = r.prefs.applied.filter((p) => !p.startsWith('count=') || r.prefs.count);
      if (applied.length > 0) headers['preference-applied'] = applied.join(', ');
      if (returning === 'headers-only' && result.body) headers.location = locationOf(r.name, table, result.body);
      if (returning !== 'representation') return { status: status === 201 ? 201 : 204, headers };
      return { status, headers: { ...headers, 'content-type': contentType(r.output) }, body: result.body ?? '[]' };
    },
  };
}

/** `Location: /todos?id=eq.1` for the first inserted row (return=headers-only). */
function locationOf(name: string, table: Table, body: string): string {
  const row = JSON.parse(body) as Record<string, unknown>;
  const query = table.primaryKey.map((c) => `${encodeURIComponent(c)}=eq.${encodeURIComponent(String(row[c]))}`).join('&');
  return `/${encodeURIComponent(name)}${query ? `?${query}` : ''}`;
}
