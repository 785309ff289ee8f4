/**
 * Conditions and fields into SQL (docs.postgrest.org, "Operators"): each column is found in the
 * scope's columns before it is quoted; every value and JSON key is a bound parameter.
 */
import { RestError, undefinedColumn } from './errors.js';
import type { Condition, Field, Filter, OrderTerm } from './request.js';
import { ident, type Params } from './sql-text.js';

/** The relation a condition is about: its SQL alias, its name for errors, its columns. */
export interface Scope {
  alias: string;
  label: string;
  columns: { name: string; type: string }[];
  /** Embedded resources at this level: output name -> the lateral alias holding their JSON. */
  embeds: Map<string, string>;
  /**
   * Embedded resources by output name, for `order=embed(col)`: whether they are to-one, and the
   * SQL reading one of their columns for the current row (a typed scalar subquery).
   */
  related?: Map<string, { toOne: boolean; target: string; column(field: Field, params: Params): string }>;
}

const BINARY: Partial<Record<Filter['op'], string>> = {
  eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'LIKE', ilike: 'ILIKE', match: '~', imatch: '~*',
  isdistinct: 'IS DISTINCT FROM', cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxl: '&>', nxr: '&<', adj: '-|-',
};
const TSQUERY: Partial<Record<Filter['op'], string>> = {
  fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery',
};
const TEXT_OPS = new Set<Filter['op']>(['like', 'ilike', 'match', 'imatch']);
const IS: Record<string, string> = { null: 'NULL', not_null: 'NOT NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' };

export function fieldSql(scope: Scope, field: Field, params: Params): string {
  return typedField(scope, field, params).sql;
}

/**
 * The field's SQL and its type (catalog text): values compared with it are cast to that type
 * in SQL from a text parameter, so the driver never converts a value by a type it guessed.
 */
export function typedField(scope: Scope, field: Field, params: Params): { sql: string; type: string } {
  const column = scope.columns.find((c) => c.name === field.name);
  if (!column) throw undefinedColumn(scope.label, field.name);
  let sql = `${ident(scope.alias)}.${ident(field.name)}`;
  for (const step of field.json) {
    const index = /^-?\d+$/.test(step.key);
    sql = `(${sql}${step.arrow}${params.add(step.key)}::${index ? 'int' : 'text'})`;
  }
  const last = field.json[field.json.length - 1];
  return { sql, type: last === undefined ? column.type : last.arrow === '->>' ? 'text' : column.type };
}

/** The name a selected field gets: its alias, else the last JSON key, else the column. */
export function outputName(field: Field, alias?: string): string {
  return alias ?? field.json[field.json.length - 1]?.key ?? field.name;
}

export function conditionSql(scope: Scope, condition: Condition, params: Params): string {
  if (condition.kind === 'logic') {
    const parts = condition.conditions.map((c) => conditionSql(scope, c, params));
    const joined = `(${parts.join(condition.op === 'and' ? ' AND ' : ' OR ')})`;
    return condition.negate ? `NOT ${joined}` : joined;
  }
  const sql = filterSql(scope, condition, params);
  return condition.negate ? `NOT (${sql})` : sql;
}

function filterSql(scope: Scope, f: Filter, params: Params): string {
  const embed = f.field.json.length === 0 ? scope.embeds.get(f.field.name) : undefined;
  if (embed !== undefined) return embedNullSql(embed, f);
  const { sql: lhs, type } = typedField(scope, f.field, params);
  const typed = (value: string) => `CAST(${params.add(value)}::text AS ${type})`;
  if (f.op === 'is') return `${lhs} IS ${IS[f.value.toLowerCase()]}`;
  if (f.op === 'in') {
    const list = f.list ?? [];
    return list.length === 0 ? 'FALSE' : `${lhs} IN (${list.map(typed).join(', ')})`;
  }
  const tsquery = TSQUERY[f.op];
  if (tsquery) {
    const language = f.language === undefined ? '' : `${params.add(f.language)}::text::regconfig, `;
    return `${lhs} @@ ${tsquery}(${language}${params.add(f.value)}::text)`;
  }
  if (f.quantifier) {
    // The value is an array literal of the compared type: `{a,b}`.
    const value = f.op === 'like' || f.op === 'ilike' ? f.value.replace(/\*/g, '%') : f.value;
    const elementType = TEXT_OPS.has(f.op) ? 'text' : type;
    return `${lhs} ${BINARY[f.op]} ${f.quantifier.toUpperCase()}(CAST(${params.add(value)}::text AS ${elementType}[]))`;
  }
  if (TEXT_OPS.has(f.op)) {
    const value = f.op === 'like' || f.op === 'ilike' ? f.value.replace(/\*/g, '%') : f.value;
    return `${lhs} ${BINARY[f.op]} ${params.add(value)}::text`;
  }
  return `${lhs} ${BINARY[f.op]} ${typed(f.value)}`;
}

/** `embed=is.null` / `embed=not.is.null`: rows with (or without) a related row. */
function embedNullSql(lateral: string, f: Filter): string {
  if (f.op !== 'is' || (f.value !== 'null' && f.value !== 'not_null')) {
    throw new RestError(400, 'PGRST100', `"failed to parse filter (${f.op}.${f.value})"`,
      'an embedded resource can only be filtered with is.null or not.is.null');
  }
  return `${ident(lateral)}.body IS ${f.value === 'null' ? 'NULL' : 'NOT NULL'}`;
}

export function orderSql(scope: Scope, terms: OrderTerm[], params: Params): string {
  return terms.map((t) => {
    const nulls = t.nulls === undefined ? '' : ` NULLS ${t.nulls === 'first' ? 'FIRST' : 'LAST'}`;
    return `${t.relation === undefined ? fieldSql(scope, t.field, params) : relatedSql(scope, t.relation, t.field, params)} ${t.descending ? 'DESC' : 'ASC'}${nulls}`;
  }).join(', ');
}

/** A to-one embed's column for `order=embed(col)`; PostgREST's PGRST108 and PGRST118 otherwise. */
function relatedSql(scope: Scope, relation: string, field: Field, params: Params): string {
  const related = scope.related?.get(relation);
  if (!related) {
    throw new RestError(400, 'PGRST108', `'${relation}' is not an embedded resource in this request`, null,
      `Verify that '${relation}' is included in the 'select' query parameter.`);
  }
  if (!related.toOne) {
    throw new RestError(400, 'PGRST118', `A related order on '${relation}' is not possible`,
      `'${scope.label}' and '${related.target}' do not form a many-to-one or one-to-one relationship`);
  }
  return related.column(field, params);
}
