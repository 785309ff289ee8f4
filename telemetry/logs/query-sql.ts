/**
 * Compiles a parsed log query (query-parser.ts) to a parameterised SQL condition on the
 * `runtime_logs` table (migration 029). Pure: the output is SQL text made only of fixed
 * fragments and `$n` placeholders, with every user value (terms, field names, values) in
 * `params`, so no value is ever spliced into SQL.
 *
 * How each clause reads the table:
 * - terms and phrases: `line ILIKE '%…%'` (LIKE's wildcards in the text escaped), which the
 *   trigram index serves;
 * - `field:value` on a JSON line: `fields @> {"field": value}` (the jsonb_path_ops index serves
 *   it; the value is bound as text and cast, since the driver would encode a jsonb parameter
 *   as a JSON string); a number matches both the JSON number and the string (`status:500` finds `"500"`);
 * - comparisons: the field as a number when it is a JSON number, else no match;
 * - `process`, `release` and `instance` are DevFlow's own columns, not JSON fields.
 * A negated clause is true where the clause is false or cannot be decided (no such field, not
 * a JSON line), so `-level:debug` keeps plain-text lines.
 */
import { LogQueryError, type Comparison, type LogQueryNode } from './query-parser.js';

export interface SqlCondition {
  text: string;
  params: string[];
}

type Column = { name: string; type: 'text' | 'int' };

/** Query fields that name DevFlow's columns rather than a JSON line's fields. */
const COLUMNS: Record<string, Column> = {
  process: { name: 'process_type', type: 'text' },
  release: { name: 'release', type: 'int' },
  instance: { name: 'instance', type: 'text' },
};

const SQL_OPERATORS: Record<Comparison, string> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/**
 * The condition for `node`, numbering its placeholders after `paramsBefore` (the statement's
 * parameters that come first).
 */
export function compileLogQuery(node: LogQueryNode, paramsBefore = 0): SqlCondition {
  const params: string[] = [];
  const bind = (value: string): string => {
    params.push(value);
    return `$${paramsBefore + params.length}`;
  };
  return { text: compileNode(node, bind), params };
}

type Bind = (value: string) => string;

function compileNode(node: LogQueryNode, bind: Bind): string {
  switch (node.kind) {
    case 'text':
      return `line ILIKE ${bind(`%${escapeLike(node.text)}%`)}`;
    case 'equals':
      return compileEquals(node.field, node.value, node.column, bind);
    case 'exists':
      return columnOf(node.field) ? 'true' : `${jsonPath(node.field, bind)} IS NOT NULL`;
    case 'compare':
      return compileCompare(node.field, node.op, node.value, node.column, bind);
    case 'not':
      return `NOT COALESCE(${compileNode(node.node, bind)}, false)`;
    case 'and':
      return `(${node.nodes.map((n) => compileNode(n, bind)).join(' AND ')})`;
    case 'or':
      return `(${node.nodes.map((n) => compileNode(n, bind)).join(' OR ')})`;
    default:
      return assertNever(node);
  }
}

function compileEquals(field: string[], value: string, column: number, bind: Bind): string {
  const own = columnOf(field);
  if (own?.type === 'int') {
    if (!/^v?\d+$/.test(value)) throw new LogQueryError(`${field.join('.')} is a release number such as 12 or v12, not "${value}"`, column);
    return `${own.name} = ${bind(value.replace(/^v/, ''))}::int`;
  }
  if (own) return `${own.name} = ${bind(value)}`;
  const candidates = jsonValues(value).map((v) => `fields @> ${bind(JSON.stringify(nest(field, v)))}::text::jsonb`);
  return candidates.length === 1 ? candidates[0]! : `(${candidates.join(' OR ')})`;
}

function compileCompare(field: string[], op: Comparison, value: number, column: number, bind: Bind): string {
  const own = columnOf(field);
  if (own?.type === 'text') throw new LogQueryError(`${field.join('.')} is text; compare it with ":"`, column);
  if (own) return `${own.name} ${SQL_OPERATORS[op]} ${bind(String(value))}::numeric`;
  const path = jsonPath(field, bind);
  // CASE evaluates the cast only for JSON numbers, so a string never makes the query fail.
  return `CASE WHEN jsonb_typeof(${path}) = 'number' THEN (${path})::numeric ${SQL_OPERATORS[op]} ${bind(String(value))}::numeric END`;
}

/** `fields -> $1 -> $2`: each key of a nested field is its own parameter. */
function jsonPath(field: string[], bind: Bind): string {
  return `fields${field.map((key) => ` -> ${bind(key)}`).join('')}`;
}

/** The JSON values a typed word may stand for: `500` is 500 or "500", `true` is true or "true". */
function jsonValues(value: string): unknown[] {
  if (/^-?\d+(\.\d+)?$/.test(value)) return [Number(value), value];
  if (value === 'true' || value === 'false') return [value === 'true', value];
  if (value === 'null') return [null, value];
  return [value];
}

function nest(field: string[], value: unknown): unknown {
  return field.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

function columnOf(field: string[]): Column | undefined {
  return field.length === 1 ? COLUMNS[field[0]!] : undefined;
}

/** Makes `%`, `_` and `\` in a term match themselves under LIKE's default escape (`\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function assertNever(node: never): never {
  throw new Error(`unknown query node ${JSON.stringify(node)}`);
}
