/**
 * One level of a read (docs.postgrest.org, "Resource Embedding"): its select list, one LEFT JOIN
 * LATERAL per embedded resource (a JSON object for to-one, a JSON array for to-many, both
 * rendered by PostgreSQL), its filters, order, limit and offset. Embedded levels recurse.
 */
import { RestError } from './errors.js';
import { conditionSql, fieldSql, orderSql, outputName, type Scope } from './plan-filter.js';
import { findRelationship, isToOne, type JoinPairs, type Relationship } from './relationships.js';
import type { QueryParams, SelectItem } from './request.js';
import type { SchemaCache, Table } from './schema-cache.js';
import { ident, qualified, type Params } from './sql-text.js';

export interface PlanContext {
  cache: SchemaCache;
  params: Params;
  query: QueryParams;
  /** Embed paths planned so far, to reject filters on resources the select does not embed. */
  visited: Set<string>;
  nextAlias: number;
  /** PostgREST's db-aggregates-enabled; false refuses `count()`, `col.sum()`… with PGRST123. */
  aggregates?: boolean;
}

export interface LevelSql {
  select: string[];
  joins: string[];
  where: string[];
  order: string;
  /** With an aggregate in the select: the other selected columns, grouped by (else empty). */
  groupBy: string[];
  /** Output column names, in order (CSV's header). */
  names: string[];
}

/** The relation a level reads: a table or view, or a function's result columns. */
export interface Source {
  alias: string;
  label: string;
  columns: { name: string; type: string }[];
  table: Table | null;
}

export function newAlias(ctx: PlanContext, prefix = 'pgrst'): string {
  return `${prefix}_${ctx.nextAlias++}`;
}

/** `conditions: false` and `order: false` leave out this level's own filters and order. */
export interface LevelOptions {
  conditions?: boolean;
  order?: boolean;
}

export function planLevel(ctx: PlanContext, source: Source, items: SelectItem[], path: string, options: LevelOptions = {}): LevelSql {
  ctx.visited.add(path);
  const level: LevelSql = { select: [], joins: [], where: [], order: '', groupBy: [], names: [] };
  const scope: Scope = { alias: source.alias, label: source.label, columns: source.columns, embeds: new Map(), related: new Map() };
  let aggregated = false;
  for (const item of items) {
    if (item.kind === 'star') {
      level.select.push(`${ident(source.alias)}.*`);
      level.names.push(...source.columns.map((c) => c.name));
      level.groupBy.push(...source.columns.map((c) => `${ident(source.alias)}.${ident(c.name)}`));
    } else if (item.kind === 'column') {
      const name = outputName(item.field, item.alias);
      const expr = castSql(ctx, fieldSql(scope, item.field, ctx.params), item.cast);
      level.select.push(`${expr} AS ${ident(name)}`);
      level.names.push(name);
      level.groupBy.push(expr);
    } else if (item.kind === 'aggregate') {
      if (ctx.aggregates === false) throw new RestError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
      aggregated = true;
      const argument = item.field ? fieldSql(scope, item.field, ctx.params) : '*';
      const name = item.alias ?? item.fn;
      level.select.push(`${castSql(ctx, `${item.fn}(${argument})`, item.cast)} AS ${ident(name)}`);
      level.names.push(name);
    } else {
      planEmbed(ctx, source, scope, item, path, level);
    }
  }
  if (options.conditions !== false) {
    for (const condition of ctx.query.conditions.get(path) ?? []) level.where.push(conditionSql(scope, condition, ctx.params));
  }
  if (options.order !== false) level.order = orderSql(scope, ctx.query.order.get(path) ?? [], ctx.params);
  // PostgREST's automatic GROUP BY: every selected column that is not an aggregate.
  if (!aggregated) level.groupBy = [];
  return level;
}

/** ` GROUP BY …` when the level aggregates over other columns, else nothing. */
export function groupBySql(level: LevelSql): string {
  return level.groupBy.length > 0 ? ` GROUP BY ${level.groupBy.join(', ')}` : '';
}

/** PostgreSQL's names for the SQL-standard spellings a cast may use. */
const TYPE_ALIASES: Record<string, string> = {
  int: 'int4', integer: 'int4', bigint: 'int8', smallint: 'int2', boolean: 'bool', real: 'float4',
  'double precision': 'float8', decimal: 'numeric', 'character varying': 'varchar', character: 'bpchar',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz', 'timestamp without time zone': 'timestamp',
};

/** A select's `::type`, allowed only if the type exists in pg_catalog or an exposed schema. */
function castSql(ctx: PlanContext, expr: string, cast: string | undefined): string {
  if (cast === undefined) return expr;
  const array = cast.endsWith('[]');
  const base = array ? cast.slice(0, -2).trim() : cast;
  const name = TYPE_ALIASES[base.toLowerCase()] ?? base;
  for (const key of [`pg_catalog.${name}`, ...[...ctx.cache.types].filter((t) => t.endsWith(`.${name}`) && !t.startsWith('pg_catalog.'))]) {
    if (ctx.cache.types.has(key)) {
      const [schema, type] = [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
      return `CAST(${expr} AS ${qualified(schema, type)}${array ? '[]' : ''})`;
    }
  }
  throw new RestError(400, '42704', `type "${cast}" does not exist`);
}

function planEmbed(ctx: PlanContext, source: Source, scope: Scope, item: Extract<SelectItem, { kind: 'embed' }>, path: string, level: LevelSql): void {
  if (!source.table) throw new RestError(400, 'PGRST200', `Could not find a relationship between '${source.label}' and '${item.name}' in the schema cache`);
  const rel = findRelationship(ctx.cache, source.table, item.name, item.hint);
  const name = item.alias ?? item.name;
  const childPath = path === '' ? name : `${path}.${name}`;
  const child: Source = { alias: newAlias(ctx, 'pgrst'), label: rel.target.name, columns: rel.target.columns, table: rel.target };
  const inner = planLevel(ctx, child, item.select, childPath);
  const lateral = newAlias(ctx, 'pgrst_embed');
  const subquery = relatedRows(ctx, rel, source.alias, child, inner, childPath);
  if (item.spread) {
    if (!isToOne(rel)) throw new RestError(400, 'PGRST119', `A spread operation on '${name}' is not possible`, `'${source.label}' and '${name}' do not form a many-to-one or one-to-one relationship`);
    level.joins.push(`LEFT JOIN LATERAL (${subquery}) AS ${ident(lateral)} ON TRUE`);
    level.select.push(`${ident(lateral)}.*`);
    level.names.push(...inner.names);
    return;
  }
  const body = isToOne(rel) ? 'row_to_json(pgrst_row)' : 'json_agg(pgrst_row)';
  level.joins.push(`LEFT JOIN LATERAL (SELECT ${body} AS body FROM (${subquery}) AS pgrst_row) AS ${ident(lateral)} ON TRUE`);
  scope.embeds.set(name, lateral);
  scope.related!.set(name, {
    toOne: isToOne(rel),
    target: rel.target.name,
    column(field, params) {
      // Its own alias and scope: ordering by any column of the related row, selected or not.
      const alias = newAlias(ctx, 'pgrst_order');
      const target: Scope = { alias, label: rel.target.name, columns: rel.target.columns, embeds: new Map() };
      return `(SELECT ${fieldSql(target, field, params)} FROM ${qualified(rel.target.schema, rel.target.name)} AS ${ident(alias)} WHERE ${equal(source.alias, alias, rel.on).join(' AND ')})`;
    },
  });
  if (item.inner) level.where.push(`${ident(lateral)}.body IS NOT NULL`);
  // An empty embed, `lists!inner()`, filters the parent and is left out of the response.
  if (item.select.length === 0) return;
  level.select.push(isToOne(rel) ? `${ident(lateral)}.body AS ${ident(name)}` : `coalesce(${ident(lateral)}.body, '[]') AS ${ident(name)}`);
  level.names.push(name);
}

const equal = (leftAlias: string, rightAlias: string, on: JoinPairs) =>
  on.map((p) => `${ident(leftAlias)}.${ident(p.left)} = ${ident(rightAlias)}.${ident(p.right)}`);

/** The rows of `rel` related to the parent row, filtered, ordered and paged. */
function relatedRows(ctx: PlanContext, rel: Relationship, parent: string, child: Source, level: LevelSql, path: string): string {
  const target = qualified(rel.target.schema, rel.target.name);
  let from = `${target} AS ${ident(child.alias)}`;
  let where: string[];
  if (rel.junction) {
    const j = newAlias(ctx, 'pgrst_junction');
    const { table, sourceOn, targetOn } = rel.junction;
    from += ` JOIN ${qualified(table.schema, table.name)} AS ${ident(j)} ON ${equal(j, child.alias, targetOn).join(' AND ')}`;
    where = equal(parent, j, sourceOn);
  } else {
    where = equal(parent, child.alias, rel.on);
  }
  const select = level.select.length === 0 ? 'NULL AS pgrst_none' : level.select.join(', ');
  return `SELECT ${select} FROM ${from} ${level.joins.join(' ')} WHERE ${[...where, ...level.where].join(' AND ')}${groupBySql(level)}`
    + (level.order ? ` ORDER BY ${level.order}` : '') + pageSql(ctx, path);
}

export function pageSql(ctx: PlanContext, path: string, limit = ctx.query.limit.get(path), offset = ctx.query.offset.get(path)): string {
  return (limit === undefined ? '' : ` LIMIT ${ctx.params.add(String(limit))}`)
    + (offset === undefined || offset === 0 ? '' : ` OFFSET ${ctx.params.add(String(offset))}`);
}

/** Filters or orders naming an embed the select does not have: PostgREST's PGRST108. */
export function checkPaths(ctx: PlanContext): void {
  for (const map of [ctx.query.conditions, ctx.query.order, ctx.query.limit, ctx.query.offset]) {
    for (const path of map.keys()) {
      if (!ctx.visited.has(path)) {
        throw new RestError(400, 'PGRST108', `'${path}' is not an embedded resource in this request`, null,
          `Verify that '${path}' is included in the 'select' query parameter.`);
      }
    }
  }
}
