import { describe, expect, it } from 'vitest';
import { LogQueryError, parseLogQuery, type LogQueryNode } from './query-parser.js';

/** The tree without columns, to keep the table readable. */
function shape(node: LogQueryNode | undefined): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case 'text': return ['text', node.text];
    case 'equals': return ['=', node.field.join('.'), node.value];
    case 'exists': return ['exists', node.field.join('.')];
    case 'compare': return [node.op, node.field.join('.'), node.value];
    case 'not': return ['not', shape(node.node)];
    case 'and': return ['and', ...node.nodes.map(shape)];
    case 'or': return ['or', ...node.nodes.map(shape)];
  }
}

describe('parseLogQuery', () => {
  it.each<[string, unknown]>([
    ['', undefined],
    ['   ', undefined],
    ['timeout', ['text', 'timeout']],
    ['"connection refused"', ['text', 'connection refused']],
    ['"say \\"hi\\""', ['text', 'say "hi"']],
    ['level:error', ['=', 'level', 'error']],
    ['level=error', ['=', 'level', 'error']],
    ['req.method:GET', ['=', 'req.method', 'GET']],
    ['msg:"two words"', ['=', 'msg', 'two words']],
    ['user:*', ['exists', 'user']],
    ['status>=500', ['>=', 'status', 500]],
    ['duration_ms>200', ['>', 'duration_ms', 200]],
    ['latency<0.5', ['<', 'latency', 0.5]],
    ['temp<=-3', ['<=', 'temp', -3]],
    ['-healthz', ['not', ['text', 'healthz']]],
    ['-level:debug', ['not', ['=', 'level', 'debug']]],
    ['-"GET /healthz"', ['not', ['text', 'GET /healthz']]],
    ['level:error status>=500 "timeout"', ['and', ['=', 'level', 'error'], ['>=', 'status', 500], ['text', 'timeout']]],
    ['a AND b', ['and', ['text', 'a'], ['text', 'b']]],
    ['a OR b c', ['or', ['text', 'a'], ['and', ['text', 'b'], ['text', 'c']]]],
    ['(a OR b) c', ['and', ['or', ['text', 'a'], ['text', 'b']], ['text', 'c']]],
    ['-(a OR b)', ['not', ['or', ['text', 'a'], ['text', 'b']]]],
    ['or and', ['and', ['text', 'or'], ['text', 'and']]],
    ['ORDER', ['text', 'ORDER']],
    ['/api/cart', ['text', '/api/cart']],
    ['http://example.com/x', ['text', 'http://example.com/x']],
    ['a-b', ['text', 'a-b']],
    ['50%', ['text', '50%']],
  ])('%j', (query, expected) => {
    expect(shape(parseLogQuery(query))).toEqual(expected);
  });

  it('keeps the column of each clause', () => {
    const node = parseLogQuery('a  -status>=500');
    expect(node).toMatchObject({ kind: 'and', column: 1, nodes: [{ column: 1 }, { kind: 'not', column: 4, node: { column: 5 } }] });
  });

  it.each<[string, string, number]>([
    ['status>=', 'expected a value after "status>="', 9],
    ['level: error', 'expected a value after "level:"', 7],
    ['status>=abc', '">=" compares numbers, and "abc" is not one', 9],
    [':error', 'expected a field name before ":"', 1],
    ['a >5', 'expected a field name before ">"', 3],
    ['"timeout', 'the quote opened here is never closed', 1],
    ['level:"oops', 'the quote opened here is never closed', 7],
    ['x ""', 'empty quotes match nothing', 3],
    ['a - b', '"-" must be followed by the clause it negates, with no space', 3],
    ['a -', '"-" must be followed by the clause it negates, with no space', 3],
    ['(a b', '"(" is never closed', 1],
    ['a b)', 'unexpected ")" with no "(" before it', 4],
    ['()', 'empty parentheses', 1],
    ['OR a', 'OR needs a clause before it', 1],
    ['a OR', 'OR needs a clause after it', 3],
    ['a AND', 'AND needs a clause after it', 3],
    ['AND a', 'AND needs a clause before it', 1],
  ])('refuses %j: %s at column %i', (query, message, column) => {
    let caught: unknown;
    try {
      parseLogQuery(query);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LogQueryError);
    expect((caught as LogQueryError).message).toBe(`query: ${message} (at column ${column})`);
    expect((caught as LogQueryError).column).toBe(column);
    expect((caught as LogQueryError).code).toBe('invalid_input');
  });
});
