/**
 * Horizontal filtering (docs.postgrest.org, "Operators", "Logical operators"): a filter value
 * `[not.]op[(modifier)].value`, `in.(a,"b,c")` lists, and `or=(...)` / `and=(...)` trees whose
 * values may be double-quoted to hold commas and parentheses. Also `order` terms.
 */
import { parseError, RestError } from './errors.js';
import { Cursor } from './parse-select.js';
import { OPERATORS, type Condition, type Field, type Filter, type Logic, type Operator, type OrderTerm } from './request.js';

const IS_VALUES = new Set(['null', 'not_null', 'true', 'false', 'unknown']);
const FTS = new Set(['fts', 'plfts', 'phfts', 'wfts']);
const MAX_LOGIC_DEPTH = 16;
const QUANTIFIABLE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);

/** `[not.]op[(modifier)].value` for the column `field`. */
export function parseFilter(field: Field, raw: string): Filter {
  let rest = raw;
  let negate = false;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const m = /^([a-z]+)(?:\(([^)]*)\))?\./.exec(rest);
  if (!m?.[1] || !(OPERATORS as readonly string[]).includes(m[1])) {
    throw parseError(`filter (${raw})`, `unknown operator in "${raw}"`);
  }
  const op = m[1] as Operator;
  const value = rest.slice(m[0].length);
  const filter: Filter = { kind: 'filter', field, negate, op, value };
  if (m[2] !== undefined) {
    if ((m[2] === 'any' || m[2] === 'all') && QUANTIFIABLE.has(op)) filter.quantifier = m[2];
    else if (FTS.has(op)) filter.language = m[2];
    else throw parseError(`filter (${raw})`, `"${op}" takes no modifier "${m[2]}"`);
  }
  if (op === 'is' && !IS_VALUES.has(value.toLowerCase())) {
    throw parseError(`filter (${raw})`, 'is accepts null, not_null, true, false or unknown');
  }
  if (op === 'in') filter.list = parseList(value, raw);
  return filter;
}

/** `(a,"b,c",d)`: the elements of an `in` list. */
export function parseList(value: string, raw: string): string[] {
  if (!value.startsWith('(') || !value.endsWith(')')) throw parseError(`filter (${raw})`, 'in expects a list: in.(a,b)');
  const inner = value.slice(1, -1);
  if (inner === '') return [];
  const out: string[] = [];
  const c = new Cursor(inner, `filter (${raw})`);
  for (;;) {
    if (c.peek() === '"') out.push(c.quoted());
    else {
      const start = c.pos;
      while (!c.done() && c.peek() !== ',') c.pos++;
      out.push(inner.slice(start, c.pos));
    }
    if (c.done()) return out;
    if (c.peek() !== ',') c.fail('","');
    c.pos++;
  }
}

/** `(cond,cond,...)` for `or=` / `and=`; `negate` comes from a `not.or` key. */
export function parseLogic(op: 'and' | 'or', negate: boolean, text: string): Logic {
  const c = new Cursor(text, 'logic tree');
  const logic = logicBody(c, op, negate, 0);
  if (!c.done()) c.fail('end of input');
  return logic;
}

function logicBody(c: Cursor, op: 'and' | 'or', negate: boolean, depth: number): Logic {
  if (depth > MAX_LOGIC_DEPTH) throw parseError(`logic tree (${c.text})`, `more than ${MAX_LOGIC_DEPTH} levels of nesting`);
  c.expect('(');
  const conditions: Condition[] = [];
  for (;;) {
    conditions.push(logicItem(c, depth));
    if (c.peek() === ')') break;
    c.expect(',');
  }
  c.expect(')');
  return { kind: 'logic', op, negate, conditions };
}

function logicItem(c: Cursor, depth: number): Condition {
  let negate = false;
  if (c.startsWith('not.and(') || c.startsWith('not.or(')) {
    negate = true;
    c.pos += 4;
  }
  for (const op of ['and', 'or'] as const) {
    if (c.startsWith(`${op}(`)) {
      c.pos += op.length;
      return logicBody(c, op, negate, depth + 1);
    }
  }
  const field = c.field();
  c.expect('.');
  return parseFilter(field, logicValue(c));
}

/** The rest of one condition: up to a `,` or `)` outside quotes, parentheses and braces. */
function logicValue(c: Cursor): string {
  let out = '';
  let depth = 0;
  while (!c.done()) {
    const ch = c.peek();
    if (depth === 0 && (ch === ',' || ch === ')')) break;
    if (ch === '"' && (out.endsWith('.') || out === '' || /[(,]$/.test(out))) {
      const q = c.quoted();
      // Inside an in-list the quotes must stay for parseList; elsewhere they only protect.
      out += depth > 0 ? `"${q.replace(/["\\]/g, '\\$&')}"` : q;
      continue;
    }
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    if (ch === ')' || ch === '}' || ch === ']') depth--;
    out += ch;
    c.pos++;
  }
  if (depth !== 0) c.fail('a closing bracket');
  return out;
}

/** `col.desc.nullslast,other->key` into terms. */
export function parseOrder(text: string): OrderTerm[] {
  return splitTop(text).map((term) => {
    const c = new Cursor(term, 'order parameter');
    let field = c.field();
    let relation: string | undefined;
    if (c.peek() === '(' && field.json.length === 0) {
      // order=authors(name).desc: a column of a to-one embedded resource.
      c.pos++;
      relation = field.name;
      field = c.field();
      c.expect(')');
    }
    const order: OrderTerm = { field, descending: false, ...(relation === undefined ? {} : { relation }) };
    while (!c.done()) {
      c.expect('.');
      const word = c.name();
      if (word === 'asc' || word === 'desc') order.descending = word === 'desc';
      else if (word === 'nullsfirst' || word === 'nullslast') order.nulls = word === 'nullsfirst' ? 'first' : 'last';
      else c.fail('"asc", "desc", "nullsfirst" or "nullslast"');
    }
    return order;
  });
}

function splitTop(text: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ',' && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** A non-negative integer for limit/offset; a negative limit is PostgREST's 416. */
export function parseCount(name: 'limit' | 'offset', text: string): number {
  if (!/^-?\d+$/.test(text)) throw parseError(`${name} parameter (${text})`, 'expecting an integer');
  const n = Number(text);
  if (n < 0) {
    const what = name === 'limit' ? 'Limit' : 'Offset';
    throw new RestError(416, 'PGRST103', 'Requested range not satisfiable', `${what} should be greater than or equal to zero.`);
  }
  return n;
}

/** `"a","b"` or `a,b`: the columns of `columns=` and `on_conflict=`. */
export function parseNameList(what: string, text: string): string[] {
  return splitTop(text).map((part) => {
    const c = new Cursor(part.trim(), `${what} parameter`);
    const name = c.name();
    if (!c.done()) c.fail('","');
    return name;
  });
}
