/**
 * `/rpc/<function>` (docs.postgrest.org, "Functions as RPC"): the arguments arrive as one JSON
 * object (the POST body, or the query parameters that name arguments on GET) and are read with
 * json_to_record against the argument types from the catalog, then passed by name. A function
 * returning rows is read like a table: select, filters, order and limit apply to its results.
 * Scalars come back as the bare JSON value, sets of scalars as an array.
 */
import { RestError } from './errors.js';
import { bodySql, wrapRows, type Output } from './plan-output.js';
import { newContext, type StatementPlan } from './plan-read.js';
import { checkPaths, newAlias, pageSql, planLevel } from './plan-select.js';
import type { QueryParams } from './request.js';
import { tableKey, type DbFunction, type SchemaCache } from './schema-cache.js';
import { ident, qualified } from './sql-text.js';

export interface RpcInput {
  fn: DbFunction;
  /** The arguments as a JSON object text. */
  args: string;
  argNames: string[];
  query: QueryParams;
  output: Output;
  limit: number | undefined;
  offset: number;
}

/** The overload whose arguments the request names: every given name known, none required missing. */
export function chooseFunction(cache: SchemaCache, schema: string, name: string, given: string[]): DbFunction {
  const candidates = (cache.functions.get(tableKey(schema, name)) ?? []).filter((f) =>
    given.every((g) => f.args.some((a) => a.name === g)) && f.args.every((a) => a.hasDefault || given.includes(a.name)));
  if (candidates.length === 1) return candidates[0]!;
  const signature = `${schema}.${name}(${[...given].sort().join(', ')})`;
  if (candidates.length === 0) {
    const params = given.length === 0 ? 'without parameters' : `with parameters ${[...given].sort().join(', ')}`;
    throw new RestError(404, 'PGRST202', `Could not find the function ${signature} in the schema cache`,
      `Searched for the function ${schema}.${name} ${params} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
      'If a new function was created in the database with this name and parameters, try reloading the schema cache.');
  }
  throw new RestError(300, 'PGRST203', `Could not choose the best candidate function between: ${candidates.map((f) => `${schema}.${name}(${f.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`).join(', ')}`,
    null, 'Try renaming the parameters or the function itself in the database so function overloading can be resolved');
}

export function planRpc(cache: SchemaCache, input: RpcInput): StatementPlan & { returns: DbFunction['returns'] } {
  const ctx = newContext(cache, input.query);
  const { fn } = input;
  const passed = fn.args.filter((a) => input.argNames.includes(a.name));
  const argsFrom = passed.length === 0 ? '' : `json_to_record(${ctx.params.add(input.args)}::text::json) AS pgrst_args(${passed.map((a) => `${ident(a.name)} ${a.type}`).join(', ')}), `;
  const call = `${qualified(fn.schema, fn.name)}(${passed.map((a) => `${ident(a.name)} := pgrst_args.${ident(a.name)}`).join(', ')})`;
  const alias = newAlias(ctx, 'pgrst_call');
  if (fn.returns !== 'composite') {
    // A scalar (or void) function: its value, or for a set, the array of its values.
    const rows = `SELECT pgrst_scalar FROM ${argsFrom}${call} AS ${ident(alias)}(pgrst_scalar)${pageSql(ctx, '', input.limit, input.offset)}`;
    const body = fn.returnsSet ? `coalesce(json_agg(pgrst_t.pgrst_scalar), '[]')::text` : `(json_agg(pgrst_t.pgrst_scalar) -> 0)::text`;
    checkPaths(ctx);
    return { text: wrapRows(rows, body, null), params: ctx.params.values, returns: fn.returns };
  }
  const table = fn.returnTable ? cache.tables.get(tableKey(fn.returnTable.schema, fn.returnTable.name)) ?? null : null;
  const level = planLevel(ctx, { alias, label: fn.name, columns: fn.returnColumns, table }, input.query.select, '');
  checkPaths(ctx);
  const where = level.where.length > 0 ? ` WHERE ${level.where.join(' AND ')}` : '';
  const order = level.order ? ` ORDER BY ${level.order}` : '';
  const rows = `SELECT ${level.select.join(', ') || 'NULL AS pgrst_none'} FROM ${argsFrom}${call} AS ${ident(alias)} ${level.joins.join(' ')}${where}${order}${pageSql(ctx, '', input.limit, input.offset)}`;
  const output: Output = fn.returnsSet ? input.output : { ...input.output, format: input.output.format === 'csv' ? 'csv' : 'object' };
  return { text: wrapRows(rows, bodySql(output, level.names, ctx.params), null), params: ctx.params.values, returns: fn.returns };
}
