/**
 * GET and HEAD on a table or view (docs.postgrest.org, "Tables and Views"): one SELECT that
 * reads the page, renders the body and, for `Prefer: count=exact`, counts every matching row.
 * `count=planned` and `count=estimated` also get an EXPLAIN of the count query, for the planner's
 * row estimate.
 */
import { bodySql, wrapRows, type Output } from './plan-output.js';
import { checkPaths, groupBySql, newAlias, pageSql, planLevel, type LevelSql, type PlanContext } from './plan-select.js';
import type { QueryParams } from './request.js';
import type { SchemaCache, Table } from './schema-cache.js';
import { ident, Params, qualified } from './sql-text.js';

export type CountMode = 'exact' | 'planned' | 'estimated';

export interface ReadInput {
  table: Table;
  query: QueryParams;
  output: Output;
  count: CountMode | null;
  /** The page after limit, offset, Range and the row cap are combined. */
  limit: number | undefined;
  offset: number;
}

export interface StatementPlan {
  text: string;
  params: string[];
  /** EXPLAIN (FORMAT JSON) of the count query, with the same params. */
  explainText?: string;
  explainParams?: string[];
}

export function newContext(cache: SchemaCache, query: QueryParams): PlanContext {
  return { cache, params: new Params(), query, visited: new Set(), nextAlias: 0 };
}

export function fromWhere(from: string, level: LevelSql): string {
  const where = level.where.length > 0 ? ` WHERE ${level.where.join(' AND ')}` : '';
  return `${from} ${level.joins.join(' ')}${where}`;
}

export function planRead(cache: SchemaCache, input: ReadInput): StatementPlan {
  const ctx = newContext(cache, input.query);
  const { from, level } = planFrom(ctx, input.table, input.query.select, true);
  checkPaths(ctx);
  const order = level.order ? ` ORDER BY ${level.order}` : '';
  const rows = `SELECT ${level.select.join(', ') || 'NULL AS pgrst_none'} FROM ${from}${groupBySql(level)}${order}${pageSql(ctx, '', input.limit, input.offset)}`;
  const exact = input.count === 'exact' || input.count === 'estimated' ? `(SELECT count(*) FROM (SELECT 1 FROM ${from}) AS pgrst_count)` : null;
  const text = wrapRows(rows, bodySql(input.output, level.names, ctx.params), exact);
  const plan: StatementPlan = { text, params: ctx.params.values };
  if (input.count === 'planned' || input.count === 'estimated') {
    // A statement of its own, so it gets its own parameters: only those its text refers to.
    const countCtx = newContext(cache, input.query);
    const embedsOnly = input.query.select.filter((item) => item.kind === 'embed');
    plan.explainText = `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${planFrom(countCtx, input.table, embedsOnly, false).from}`;
    plan.explainParams = countCtx.params.values;
  }
  return plan;
}

function planFrom(ctx: PlanContext, table: Table, items: QueryParams['select'], withOrder: boolean): { from: string; level: LevelSql } {
  const alias = newAlias(ctx, 'pgrst_source');
  const level = planLevel(ctx, { alias, label: table.name, columns: table.columns, table }, items, '', { order: withOrder });
  return { from: fromWhere(`${qualified(table.schema, table.name)} AS ${ident(alias)}`, level), level };
}
