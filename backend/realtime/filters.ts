/**
 * `postgres_changes` filters as Supabase Realtime documents them: `column=operator.value`, with
 * the operators eq, neq, lt, lte, gt, gte and in (`id=in.(1,2,3)`), several conditions joined by
 * commas (all must hold), `not.` before an operator negating it, and PostgREST-style double quotes
 * around a value holding `,`, `(` or `)`.
 *
 * A condition compares the row's value as realtime sends it (changes.ts: numbers, booleans,
 * strings): numerically when both sides are numbers, else as text, so `gt` on text and
 * timestamps compares their text as PostgreSQL prints it.
 */

export type FilterOperator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';
const OPERATORS: readonly FilterOperator[] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'];

export interface Condition {
  column: string;
  operator: FilterOperator;
  negated: boolean;
  values: string[];
}

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

/** Splits on `separator` outside double quotes and parentheses. */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth += 1;
    else if (!quoted && ch === ')') depth -= 1;
    if (ch === separator && !quoted && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function parseCondition(text: string): Condition {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new FilterError(`filter "${text}" is not column=operator.value`);
  const column = text.slice(0, eq).trim();
  let rest = text.slice(eq + 1);
  const negated = rest.startsWith('not.');
  if (negated) rest = rest.slice(4);
  const dot = rest.indexOf('.');
  const operator = rest.slice(0, dot === -1 ? undefined : dot) as FilterOperator;
  if (dot === -1 || !OPERATORS.includes(operator)) {
    throw new FilterError(`filter "${text}": the operator must be one of ${OPERATORS.join(', ')}`);
  }
  const value = rest.slice(dot + 1);
  if (operator !== 'in') return { column, operator, negated, values: [unquote(value)] };
  if (!value.startsWith('(') || !value.endsWith(')')) throw new FilterError(`filter "${text}": in takes a list, as in.(1,2,3)`);
  const inner = value.slice(1, -1);
  return { column, operator, negated, values: inner === '' ? [] : splitTop(inner, ',').map((v) => unquote(v.trim())) };
}

export function parseFilter(filter: string | undefined | null): Condition[] {
  if (filter === undefined || filter === null || filter.trim() === '') return [];
  return splitTop(filter, ',').map((part) => parseCondition(part.trim()));
}

function compare(actual: unknown, expected: string): number | undefined {
  if (actual === null || actual === undefined) return undefined;
  if (typeof actual === 'number' && expected.trim() !== '' && !Number.isNaN(Number(expected))) return actual - Number(expected);
  const text = typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  return text < expected ? -1 : text > expected ? 1 : 0;
}

function holds(c: Condition, actual: unknown): boolean {
  if (c.operator === 'in') return c.values.some((v) => compare(actual, v) === 0);
  const order = compare(actual, c.values[0]!);
  if (order === undefined) return false;
  switch (c.operator) {
    case 'eq': return order === 0;
    case 'neq': return order !== 0;
    case 'lt': return order < 0;
    case 'lte': return order <= 0;
    case 'gt': return order > 0;
    case 'gte': return order >= 0;
  }
}

/** Whether a row passes every condition; a condition on a column the row lacks fails. */
export function matchesFilter(conditions: Condition[], row: Record<string, unknown>): boolean {
  return conditions.every((c) => {
    if (!(c.column in row)) return false;
    const result = holds(c, row[c.column]);
    return c.negated ? !result : result;
  });
}
