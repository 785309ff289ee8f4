/**
 * The `select` parameter (docs.postgrest.org, "Vertical Filtering", "Resource Embedding"):
 * `id, alias:col->json->>key::cast, target!hint!inner(...), ...spread(...)`, parsed by hand
 * into a tree. Depth and size are bounded so a hostile select cannot exhaust the stack.
 */
import { RestError } from './errors.js';
import { AGGREGATES, type AggregateFunction, type Field, type JsonStep, type SelectItem } from './request.js';

export const MAX_EMBED_DEPTH = 16;
export const MAX_SELECT_ITEMS = 1000;

/** Characters that end a bare name inside select, order and filter keys. */
const STOP = new Set([',', '(', ')', '!', ':', '.', '"']);

export class Cursor {
  pos = 0;
  constructor(readonly text: string, readonly what: string) {}

  peek(n = 0): string {
    return this.text[this.pos + n] ?? '';
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  done(): boolean {
    return this.pos >= this.text.length;
  }
  skipSpaces(): void {
    while (this.peek() === ' ') this.pos++;
  }
  fail(expecting: string): never {
    const found = this.done() ? 'end of input' : `"${this.peek()}"`;
    throw new RestError(400, 'PGRST100', `"failed to parse ${this.what} (${this.text})" (line 1, column ${this.pos + 1})`,
      `unexpected ${found} expecting ${expecting}`);
  }
  expect(s: string): void {
    if (!this.startsWith(s)) this.fail(`"${s}"`);
    this.pos += s.length;
  }

  /** A bare name, or a double-quoted one with `\"` and `""` escapes. */
  name(): string {
    this.skipSpaces();
    if (this.peek() === '"') return this.quoted();
    const start = this.pos;
    while (!this.done() && !STOP.has(this.peek()) && this.peek() !== ' ' && !this.startsWith('->')) this.pos++;
    if (this.pos === start) this.fail('a name');
    return this.text.slice(start, this.pos);
  }

  quoted(): string {
    this.expect('"');
    let out = '';
    while (!this.done()) {
      const c = this.peek();
      if (c === '\\' && this.pos + 1 < this.text.length) {
        out += this.text[this.pos + 1];
        this.pos += 2;
      } else if (c === '"') {
        this.pos++;
        return out;
      } else {
        out += c;
        this.pos++;
      }
    }
    return this.fail('a closing quote');
  }

  /** `name` followed by `->key` / `->>key` steps. */
  field(): Field {
    const name = this.name();
    const json: JsonStep[] = [];
    while (this.startsWith('->')) {
      const arrow = this.startsWith('->>') ? '->>' : '->';
      this.pos += arrow.length;
      json.push({ arrow, key: this.jsonKey() });
    }
    return { name, json };
  }

  private jsonKey(): string {
    if (this.peek() === '"') return this.quoted();
    const start = this.pos;
    if (this.peek() === '-') this.pos++; // a negative array index
    while (!this.done() && !STOP.has(this.peek()) && this.peek() !== ' ' && !this.startsWith('->')) this.pos++;
    if (this.pos === start) this.fail('a JSON key');
    return this.text.slice(start, this.pos);
  }
}

export function parseSelect(text: string): SelectItem[] {
  const cursor = new Cursor(text, 'select parameter');
  const budget = { items: 0 };
  const items = parseList(cursor, 0, budget);
  cursor.skipSpaces();
  if (!cursor.done()) cursor.fail('"," or end of input');
  return items;
}

function parseList(c: Cursor, depth: number, budget: { items: number }): SelectItem[] {
  if (depth > MAX_EMBED_DEPTH) {
    throw new RestError(400, 'PGRST100', `"failed to parse select parameter (${c.text})"`,
      `more than ${MAX_EMBED_DEPTH} levels of embedded resources`);
  }
  const items: SelectItem[] = [];
  for (;;) {
    if (++budget.items > MAX_SELECT_ITEMS) {
      throw new RestError(400, 'PGRST100', `"failed to parse select parameter (${c.text.slice(0, 200)}...)"`,
        `more than ${MAX_SELECT_ITEMS} items in select`);
    }
    items.push(parseItem(c, depth, budget));
    c.skipSpaces();
    if (c.peek() !== ',') return items;
    c.pos++;
  }
}

function parseItem(c: Cursor, depth: number, budget: { items: number }): SelectItem {
  c.skipSpaces();
  if (c.peek() === '*') {
    c.pos++;
    return { kind: 'star' };
  }
  const spread = c.startsWith('...');
  if (spread) c.pos += 3;
  let alias: string | undefined;
  let field = c.field();
  if (c.peek() === ':' && c.peek(1) !== ':') {
    if (field.json.length > 0) c.fail('"::", ",", "(" or end of input');
    c.pos++;
    alias = field.name;
    field = c.field();
  }
  const aggregate = aggregateItem(c, field, alias, spread);
  if (aggregate) return aggregate;
  const hints: string[] = [];
  while (c.peek() === '!') {
    c.pos++;
    hints.push(c.name());
  }
  if (c.peek() === '(') {
    if (field.json.length > 0) c.fail('"," or end of input');
    c.pos++;
    c.skipSpaces();
    const select = c.peek() === ')' ? [] : parseList(c, depth + 1, budget);
    c.skipSpaces();
    c.expect(')');
    return embedItem(field.name, alias, hints, spread, select, c);
  }
  if (spread || hints.length > 0) c.fail('"("');
  if (c.startsWith('::')) {
    c.pos += 2;
    return { kind: 'column', field, alias, cast: castName(c) };
  }
  return { kind: 'column', field, alias };
}

function embedItem(name: string, alias: string | undefined, hints: string[], spread: boolean, select: SelectItem[], c: Cursor): SelectItem {
  const inner = hints.includes('inner');
  const rest = hints.filter((h) => h !== 'inner' && h !== 'left');
  if (rest.length > 1) c.fail('one relationship hint');
  return { kind: 'embed', name, alias, hint: rest[0], inner, spread, select };
}

/**
 * `count()` (rows) or `column.fn()`, with an optional `::cast` after it; undefined when the item
 * is not an aggregate. A bare `count()` is the aggregate, as in PostgREST, not an embed of a
 * relation named count with an empty select.
 */
function aggregateItem(c: Cursor, field: Field, alias: string | undefined, spread: boolean): SelectItem | undefined {
  let fn: AggregateFunction | undefined;
  let column: Field | undefined;
  if (field.name === 'count' && field.json.length === 0 && c.startsWith('()')) {
    fn = 'count';
  } else if (c.peek() === '.') {
    const save = c.pos;
    c.pos++;
    const word = c.name();
    if (!(AGGREGATES as readonly string[]).includes(word) || !c.startsWith('()')) {
      c.pos = save;
      c.fail('"::", ",", "(" or end of input');
    }
    fn = word as AggregateFunction;
    column = field;
  } else {
    return undefined;
  }
  if (spread) c.fail('"("');
  c.pos += 2;
  let cast: string | undefined;
  if (c.startsWith('::')) {
    c.pos += 2;
    cast = castName(c);
  }
  return { kind: 'aggregate', fn, ...(column ? { field: column } : {}), ...(alias === undefined ? {} : { alias }), ...(cast === undefined ? {} : { cast }) };
}

/** A type name: letters, digits, `_`, spaces inside (`double precision`), an optional `[]`. */
function castName(c: Cursor): string {
  const start = c.pos;
  while (!c.done() && /[A-Za-z0-9_ \[\]]/.test(c.peek())) c.pos++;
  const cast = c.text.slice(start, c.pos).trim();
  if (!cast) c.fail('a type name');
  return cast;
}
