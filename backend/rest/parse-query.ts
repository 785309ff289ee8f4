/**
 * A request's query string into QueryParams (request.ts): `select`, filters, `or`/`and`,
 * `order`, `limit`, `offset` (each also as `embed.order` etc. for embedded resources),
 * `columns` and `on_conflict`. Pure: no schema knowledge; the planners check names.
 */
import { parseError } from './errors.js';
import { parseCount, parseFilter, parseLogic, parseNameList, parseOrder } from './parse-filter.js';
import { Cursor, parseSelect } from './parse-select.js';
import type { Condition, QueryParams } from './request.js';

const LOGIC_KEYS: Record<string, { op: 'and' | 'or'; negate: boolean }> = {
  // The negated keys first, so `not.or` is not read as `or` under an embed named "not".
  'not.or': { op: 'or', negate: true },
  'not.and': { op: 'and', negate: true },
  or: { op: 'or', negate: false },
  and: { op: 'and', negate: false },
};

function push<T>(map: Map<string, T[]>, key: string, items: T[]): void {
  map.set(key, [...(map.get(key) ?? []), ...items]);
}

/** Splits `lists.items.order` into the embed path "lists.items" and the last word "order". */
function splitKey(key: string, word: string): string | null {
  if (key === word) return '';
  return key.endsWith(`.${word}`) ? key.slice(0, -word.length - 1) : null;
}

/** `skip`: names that are not filters (an RPC's arguments on GET). */
export function parseQuery(search: URLSearchParams, skip: ReadonlySet<string> = new Set()): QueryParams {
  const q: QueryParams = { select: [{ kind: 'star' }], conditions: new Map(), order: new Map(), limit: new Map(), offset: new Map() };
  for (const [key, value] of search) {
    if (skip.has(key)) continue;
    if (key === 'select') q.select = value.trim() === '' ? [{ kind: 'star' }] : parseSelect(value);
    else if (key === 'columns') q.columns = parseNameList('columns', value);
    else if (key === 'on_conflict') q.onConflict = parseNameList('on_conflict', value);
    else if (!parseModifier(q, key, value)) parseFilterKey(q, key, value);
  }
  return q;
}

function parseModifier(q: QueryParams, key: string, value: string): boolean {
  let path = splitKey(key, 'order');
  if (path !== null) {
    push(q.order, path, parseOrder(value));
    return true;
  }
  for (const word of ['limit', 'offset'] as const) {
    path = splitKey(key, word);
    if (path !== null) {
      q[word].set(path, parseCount(word, value));
      return true;
    }
  }
  for (const [word, logic] of Object.entries(LOGIC_KEYS)) {
    path = splitKey(key, word);
    if (path !== null) {
      push(q.conditions, path, [parseLogic(logic.op, logic.negate, value)]);
      return true;
    }
  }
  return false;
}

/** `col=op.value` or `embed.col=op.value`; the column may carry a JSON path. */
function parseFilterKey(q: QueryParams, key: string, value: string): void {
  const dot = lastDotOutsideJson(key);
  const path = dot < 0 ? '' : key.slice(0, dot);
  const c = new Cursor(key.slice(dot + 1), `filter key (${key})`);
  const field = c.field();
  if (!c.done()) c.fail('an operator in the value, not the key');
  if (field.name === '') throw parseError(`filter key (${key})`, 'empty column name');
  const condition: Condition = parseFilter(field, value);
  push(q.conditions, path, [condition]);
}

function lastDotOutsideJson(key: string): number {
  const arrow = key.indexOf('->');
  const head = arrow < 0 ? key : key.slice(0, arrow);
  return head.lastIndexOf('.');
}
