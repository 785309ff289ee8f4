/**
 * POST, PATCH and DELETE on a table or view (docs.postgrest.org, "Tables and Views": insert,
 * bulk insert, upsert, update, delete). The JSON body goes to PostgreSQL as one bound text and
 * is read there with json_populate_record against the table's own row type, so each value is
 * converted by the column's type as PostgREST does. With `return=representation` the changed
 * rows come back through the same select planner as reads (embeds included); with
 * `return=minimal` the statement has no RETURNING, so a role allowed to write but not to read
 * (row-level security) can still write.
 */
import { conditionSql, type Scope } from './plan-filter.js';
import { bodySql, wrapRows, type Output } from './plan-output.js';
import { newContext, fromWhere, type StatementPlan } from './plan-read.js';
import { checkPaths, newAlias, planLevel, type PlanContext } from './plan-select.js';
import type { QueryParams } from './request.js';
import type { SchemaCache, Table } from './schema-cache.js';
import { ident, qualified } from './sql-text.js';

export type ReturnMode = 'minimal' | 'headers-only' | 'representation';

export type Mutation =
  | { kind: 'insert'; body: string; columns: string[]; missingDefault: boolean; upsert?: { resolution: 'merge' | 'ignore'; onConflict: string[] };
      /** PUT: only body rows matching the URL's primary-key filters are written (plan-put.ts). */
      matchFilters?: boolean }
  | { kind: 'update'; body: string; columns: string[] }
  | { kind: 'delete' };

export interface WriteInput {
  table: Table;
  query: QueryParams;
  output: Output;
  returning: ReturnMode;
  mutation: Mutation;
}

export interface WritePlan extends StatementPlan {
  /** false: a bare statement whose affected row count is the answer (return=minimal). */
  returnsRows: boolean;
}

export function planWrite(cache: SchemaCache, input: WriteInput): WritePlan {
  const ctx = newContext(cache, input.query);
  const alias = newAlias(ctx, 'pgrst_source');
  const target = `${qualified(input.table.schema, input.table.name)} AS ${ident(alias)}`;
  const statement = mutationSql(ctx, input, target, alias);
  if (input.returning === 'minimal') {
    checkPaths(ctx);
    return { text: statement, params: ctx.params.values, returnsRows: false };
  }
  const returned = input.returning === 'headers-only' ? input.table.primaryKey.map((c) => `${ident(alias)}.${ident(c)}`).join(', ') || 'NULL AS pgrst_none' : `${ident(alias)}.*`;
  const cte = `WITH pgrst_source AS (${statement} RETURNING ${returned}) `;
  if (input.returning === 'headers-only') {
    return { text: cte + wrapRows('SELECT * FROM pgrst_source', bodySql({ format: 'object', stripNulls: false }, [], ctx.params), null), params: ctx.params.values, returnsRows: true };
  }
  const source = { alias, label: input.table.name, columns: input.table.columns, table: input.table };
  const level = planLevel(ctx, source, input.query.select, '', { conditions: false, order: false });
  checkPaths(ctx);
  const rows = `SELECT ${level.select.join(', ') || 'NULL AS pgrst_none'} FROM ${fromWhere(`pgrst_source AS ${ident(alias)}`, level)}`;
  return { text: cte + wrapRows(rows, bodySql(input.output, level.names, ctx.params), null), params: ctx.params.values, returnsRows: true };
}

function whereSql(ctx: PlanContext, table: Table, alias: string): string {
  const scope: Scope = { alias, label: table.name, columns: table.columns, embeds: new Map() };
  const conditions = (ctx.query.conditions.get('') ?? []).map((c) => conditionSql(scope, c, ctx.params));
  ctx.visited.add('');
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

function mutationSql(ctx: PlanContext, input: WriteInput, target: string, alias: string): string {
  const m = input.mutation;
  const rowType = `NULL::${qualified(input.table.schema, input.table.name)}`;
  switch (m.kind) {
    case 'delete':
      return `DELETE FROM ${target}${whereSql(ctx, input.table, alias)}`;
    case 'update': {
      // An empty object changes nothing: a no-op update still answers with no rows.
      const first = ident(input.table.columns[0]?.name ?? '');
      if (m.columns.length === 0) return `UPDATE ${target} SET ${first} = ${ident(alias)}.${first} WHERE FALSE`;
      const body = ctx.params.add(m.body);
      const set = m.columns.map((c) => `${ident(c)} = pgrst_body.${ident(c)}`).join(', ');
      return `UPDATE ${target} SET ${set} FROM json_populate_record(${rowType}, ${body}::text::json) AS pgrst_body${whereSql(ctx, input.table, alias)}`;
    }
    case 'insert':
      return insertSql(ctx, input, m, target, rowType);
  }
}

function insertSql(ctx: PlanContext, input: WriteInput, m: Extract<Mutation, { kind: 'insert' }>, target: string, rowType: string): string {
  const body = ctx.params.add(m.body);
  const rows = `json_array_elements(CASE WHEN json_typeof(${body}::text::json) = 'array' THEN ${body}::text::json ELSE json_build_array(${body}::text::json) END) AS pgrst_j(j), LATERAL json_populate_record(${rowType}, pgrst_j.j) AS pgrst_r`;
  const values = m.columns.map((c) => {
    const value = `pgrst_r.${ident(c)}`;
    if (!m.missingDefault) return value;
    // Prefer: missing=default: a key absent from an object takes the column's default.
    const fallback = input.table.columns.find((col) => col.name === c)?.default ?? 'NULL';
    return `CASE WHEN (pgrst_j.j -> ${ctx.params.add(c)}::text) IS NULL THEN ${fallback} ELSE ${value} END`;
  });
  const columns = m.columns.length > 0 ? ` (${m.columns.map(ident).join(', ')})` : '';
  let sql = `INSERT INTO ${target}${columns} SELECT ${values.join(', ')} FROM ${rows}`;
  if (m.matchFilters) sql += whereSql(ctx, input.table, 'pgrst_r');
  if (m.upsert) {
    const conflict = m.upsert.onConflict.map(ident).join(', ');
    const updates = m.columns.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(', ');
    sql += m.upsert.resolution === 'ignore' || updates === '' ? ` ON CONFLICT (${conflict}) DO NOTHING` : ` ON CONFLICT (${conflict}) DO UPDATE SET ${updates}`;
  }
  return sql;
}
