/**
 * The log query language (issue 18), parsed into a tree by a pure recursive-descent parser.
 * It is a small Lucene-like language, what a Heroku, Datadog or Loki user types without reading
 * a manual:
 *
 *   timeout                 a term: the line contains it (any case)
 *   "connection refused"    a phrase: the line contains the words together
 *   level:error             a field of a JSON line equals a value (`req.method:GET` for nested)
 *   user:*                  the field is present
 *   status>=500             a numeric comparison (>, >=, <, <=)
 *   -healthz                negation of the clause after it
 *   a b                     both (AND by juxtaposition; the keyword AND is allowed too)
 *   a OR b                  either; AND binds tighter than OR; parentheses group
 *
 * Every node keeps the column (1-based) where it starts, so the compiler can point at a clause
 * it refuses; syntax errors say the column too.
 */
import { InvalidInputError } from '../../core/errors.js';

export type Comparison = '>' | '>=' | '<' | '<=';

export type LogQueryNode =
  | { kind: 'text'; text: string; column: number }
  | { kind: 'equals'; field: string[]; value: string; column: number }
  | { kind: 'exists'; field: string[]; column: number }
  | { kind: 'compare'; field: string[]; op: Comparison; value: number; column: number }
  | { kind: 'not'; node: LogQueryNode; column: number }
  | { kind: 'and'; nodes: LogQueryNode[]; column: number }
  | { kind: 'or'; nodes: LogQueryNode[]; column: number };

/** A query the parser or compiler refuses; `column` is 1-based. */
export class LogQueryError extends InvalidInputError {
  readonly column: number;

  constructor(message: string, column: number) {
    super(`query: ${message} (at column ${column})`);
    this.column = column;
  }
}

const FIELD_NAME = /^[A-Za-z_@][A-Za-z0-9_@-]*(\.[A-Za-z0-9_@-]+)*$/;
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;
const OPERATORS = [':', '>=', '<=', '>', '<', '='] as const;
/** Characters that end a bare word. */
const WORD_END = new Set([' ', '\t', '\n', '\r', '"', '(', ')']);

/** Parses a query; an empty (or blank) query is `undefined`: it matches every line. */
export function parseLogQuery(input: string): LogQueryNode | undefined {
  const parser = new Parser(input);
  return parser.parseQuery();
}

class Parser {
  private pos = 0;

  constructor(private readonly input: string) {}

  parseQuery(): LogQueryNode | undefined {
    this.skipSpace();
    if (this.atEnd()) return undefined;
    const node = this.parseOr();
    this.skipSpace();
    if (!this.atEnd()) throw new LogQueryError('unexpected ")" with no "(" before it', this.column());
    return node;
  }

  private parseOr(): LogQueryNode {
    const start = this.column();
    const nodes = [this.parseAnd()];
    while (this.keyword('OR')) {
      const at = this.column();
      this.pos += 2;
      this.skipSpace();
      if (this.atEnd() || this.peek() === ')') throw new LogQueryError('OR needs a clause after it', at);
      nodes.push(this.parseAnd());
    }
    return nodes.length === 1 ? nodes[0]! : { kind: 'or', nodes, column: start };
  }

  private parseAnd(): LogQueryNode {
    const start = this.column();
    const nodes: LogQueryNode[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd() || this.peek() === ')') break;
      if (this.keyword('OR')) {
        if (nodes.length === 0) throw new LogQueryError('OR needs a clause before it', this.column());
        break;
      }
      if (this.keyword('AND')) {
        if (nodes.length === 0) throw new LogQueryError('AND needs a clause before it', this.column());
        const at = this.column();
        this.pos += 3;
        this.skipSpace();
        if (this.atEnd() || this.peek() === ')' || this.keyword('OR')) throw new LogQueryError('AND needs a clause after it', at);
        continue;
      }
      nodes.push(this.parseUnary());
    }
    if (nodes.length === 0) throw new LogQueryError('expected a term, a phrase or field:value', this.column());
    return nodes.length === 1 ? nodes[0]! : { kind: 'and', nodes, column: start };
  }

  private parseUnary(): LogQueryNode {
    if (this.peek() !== '-') return this.parsePrimary();
    const column = this.column();
    this.pos++;
    if (this.atEnd() || (WORD_END.has(this.peek()) && this.peek() !== '"' && this.peek() !== '(')) {
      throw new LogQueryError('"-" must be followed by the clause it negates, with no space', column);
    }
    return { kind: 'not', node: this.parsePrimary(), column };
  }

  private parsePrimary(): LogQueryNode {
    const column = this.column();
    const c = this.peek();
    if (c === '(') {
      this.pos++;
      this.skipSpace();
      if (this.peek() === ')') throw new LogQueryError('empty parentheses', column);
      const node = this.parseOr();
      this.skipSpace();
      if (this.peek() !== ')') throw new LogQueryError('"(" is never closed', column);
      this.pos++;
      return node;
    }
    if (c === '"') return { kind: 'text', text: this.parseQuoted(), column };
    return this.parseWord(column);
  }

  /** A bare word: a term, or `field<op>value` when it starts with a field name and an operator. */
  private parseWord(column: number): LogQueryNode {
    const word = this.readWord();
    const found = findOperator(word);
    if (!found) return { kind: 'text', text: word, column };
    const { index, op } = found;
    const name = word.slice(0, index);
    if (index === 0) throw new LogQueryError(`expected a field name before "${op}"`, column);
    // `http://host/…` is a URL, not the field `http`.
    if (!FIELD_NAME.test(name) || word.startsWith('//', index + 1)) return { kind: 'text', text: word, column };
    const field = name.split('.');
    const valueColumn = column + index + op.length;
    let value = word.slice(index + op.length);
    if (value === '' && this.peek() === '"') value = this.parseQuoted();
    else if (value === '') throw new LogQueryError(`expected a value after "${name}${op}"`, valueColumn);
    if (op === ':' || op === '=') {
      return value === '*' ? { kind: 'exists', field, column } : { kind: 'equals', field, value, column };
    }
    if (!NUMBER.test(value)) throw new LogQueryError(`"${op}" compares numbers, and "${value}" is not one`, valueColumn);
    return { kind: 'compare', field, op, value: Number(value), column };
  }

  private readWord(): string {
    const start = this.pos;
    while (!this.atEnd() && !WORD_END.has(this.peek())) this.pos++;
    return this.input.slice(start, this.pos);
  }

  /** A double-quoted string; `\"` and `\\` escape. */
  private parseQuoted(): string {
    const column = this.column();
    this.pos++;
    let text = '';
    while (!this.atEnd() && this.peek() !== '"') {
      if (this.peek() === '\\' && this.pos + 1 < this.input.length) this.pos++;
      text += this.input[this.pos++];
    }
    if (this.atEnd()) throw new LogQueryError('the quote opened here is never closed', column);
    this.pos++;
    if (text === '') throw new LogQueryError('empty quotes match nothing', column);
    return text;
  }

  /** Whether the keyword (uppercase) stands here as a word of its own. */
  private keyword(word: string): boolean {
    if (!this.input.startsWith(word, this.pos)) return false;
    const after = this.input[this.pos + word.length];
    return after === undefined || after === ' ' || after === '\t' || after === '\n' || after === '\r' || after === '(' || after === '"';
  }

  private skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.peek())) this.pos++;
  }

  private peek(): string {
    return this.input[this.pos] ?? '';
  }

  private atEnd(): boolean {
    return this.pos >= this.input.length;
  }

  private column(): number {
    return this.pos + 1;
  }
}

/** The first operator in a word, longest match first at each position (`>=` before `>`). */
function findOperator(word: string): { index: number; op: (typeof OPERATORS)[number] } | undefined {
  for (let i = 0; i < word.length; i++) {
    const op = OPERATORS.find((o) => word.startsWith(o, i));
    if (op) return { index: i, op };
  }
  return undefined;
}
