import { describe, expect, it } from 'vitest';
import { RestError } from './errors.js';
import { parseCount, parseFilter, parseList, parseLogic, parseNameList, parseOrder } from './parse-filter.js';
import type { Filter } from './request.js';

const field = { name: 'c', json: [] };
const f = (op: Filter['op'], value: string, extra: Partial<Filter> = {}): Filter => ({ kind: 'filter', field, negate: false, op, value, ...extra });

describe('parseFilter', () => {
  const cases: [string, Filter][] = [
    ['eq.1', f('eq', '1')],
    ['eq.a.b.c', f('eq', 'a.b.c')],
    ['not.eq.1', f('eq', '1', { negate: true })],
    ['like.*a*', f('like', '*a*')],
    ['is.null', f('is', 'null')],
    ['is.NOT_NULL', f('is', 'NOT_NULL')],
    ['in.(1,2)', f('in', '(1,2)', { list: ['1', '2'] })],
    ['in.()', f('in', '()', { list: [] })],
    ['cs.{a,b}', f('cs', '{a,b}')],
    ['fts(english).cat', f('fts', 'cat', { language: 'english' })],
    ['wfts.a b', f('wfts', 'a b')],
    ["eq.x' OR '1'='1", f('eq', "x' OR '1'='1")],
  ];
  it.each(cases)('%s', (raw, expected) => {
    expect(parseFilter(field, raw)).toEqual(expected);
  });

  it.each(['eqq.1', '1', 'is.maybe', 'eq(x).1', 'in.1,2', 'not.1'])('refuses %s', (raw) => {
    expect(() => parseFilter(field, raw)).toThrow(RestError);
  });
});

describe('parseList', () => {
  it.each([
    ['(a,b)', ['a', 'b']],
    ['("a,b",c)', ['a,b', 'c']],
    ['("say \\"hi\\" (now)")', ['say "hi" (now)']],
    ['(,)', ['', '']],
  ] as [string, string[]][])('%s', (text, expected) => {
    expect(parseList(text, text)).toEqual(expected);
  });
});

describe('parseLogic', () => {
  it('reads nested trees with quoted values and in-lists', () => {
    expect(parseLogic('or', false, '(a.eq.1,and(b.gt.2,c.not.is.null),d.in.("x,y",z),e.eq."p,(q)")')).toEqual({
      kind: 'logic', op: 'or', negate: false, conditions: [
        { kind: 'filter', field: { name: 'a', json: [] }, negate: false, op: 'eq', value: '1' },
        { kind: 'logic', op: 'and', negate: false, conditions: [
          { kind: 'filter', field: { name: 'b', json: [] }, negate: false, op: 'gt', value: '2' },
          { kind: 'filter', field: { name: 'c', json: [] }, negate: true, op: 'is', value: 'null' },
        ] },
        { kind: 'filter', field: { name: 'd', json: [] }, negate: false, op: 'in', value: '("x,y",z)', list: ['x,y', 'z'] },
        { kind: 'filter', field: { name: 'e', json: [] }, negate: false, op: 'eq', value: 'p,(q)' },
      ],
    });
  });

  it('reads not.and and JSON paths', () => {
    const tree = parseLogic('and', true, '(not.or(a.eq.1),meta->>k.eq.v)');
    expect(tree.negate).toBe(true);
    expect(tree.conditions[0]).toMatchObject({ kind: 'logic', op: 'or', negate: true });
    expect(tree.conditions[1]).toMatchObject({ field: { name: 'meta', json: [{ arrow: '->>', key: 'k' }] }, value: 'v' });
  });

  it.each(['a.eq.1', '(a.eq.1', '(a.eq.(1)', '()', '(a)', `${'(and'.repeat(20)}(a.eq.1${')'.repeat(21)}`])('refuses %s', (text) => {
    expect(() => parseLogic('or', false, text)).toThrow(RestError);
  });
});

describe('parseOrder, parseCount, parseNameList', () => {
  it('reads a related order: embed(column) with direction and nulls', () => {
    expect(parseOrder('lists(name).desc.nullslast,id')).toEqual([
      { relation: 'lists', field: { name: 'name', json: [] }, descending: true, nulls: 'last' },
      { field: { name: 'id', json: [] }, descending: false },
    ]);
    expect(() => parseOrder('lists(name')).toThrow(expect.objectContaining({ code: 'PGRST100' }));
  });

  it('orders', () => {
    expect(parseOrder('a,b.desc,c.asc.nullsfirst,d->e.nullslast')).toEqual([
      { field: { name: 'a', json: [] }, descending: false },
      { field: { name: 'b', json: [] }, descending: true },
      { field: { name: 'c', json: [] }, descending: false, nulls: 'first' },
      { field: { name: 'd', json: [{ arrow: '->', key: 'e' }] }, descending: false, nulls: 'last' },
    ]);
    expect(() => parseOrder('a.sideways')).toThrow(RestError);
    // Not a parse error: a name, which the planner then looks up in the schema cache.
    expect(parseOrder('a;DROP')[0]?.field.name).toBe('a;DROP');
    expect(() => parseOrder('a; DROP TABLE x')).toThrow(RestError);
  });

  it('counts: integers only, a negative limit is 416', () => {
    expect(parseCount('limit', '10')).toBe(10);
    expect(() => parseCount('limit', '1.5')).toThrow(expect.objectContaining({ status: 400, code: 'PGRST100' }));
    expect(() => parseCount('limit', '-1')).toThrow(expect.objectContaining({ status: 416, code: 'PGRST103', details: 'Limit should be greater than or equal to zero.' }));
  });

  it('name lists, quoted or not', () => {
    expect(parseNameList('columns', '"a","b c",d')).toEqual(['a', 'b c', 'd']);
  });
});

describe('quantifiers', () => {
  it('reads any and all on comparison and pattern operators only', () => {
    expect(parseFilter(field, 'like(all).{a*,*b}')).toMatchObject({ op: 'like', quantifier: 'all', value: '{a*,*b}' });
    expect(parseFilter(field, 'not.eq(any).{1,2}')).toMatchObject({ op: 'eq', negate: true, quantifier: 'any' });
    expect(() => parseFilter(field, 'cs(any).{1}')).toThrow(RestError);
  });
});
