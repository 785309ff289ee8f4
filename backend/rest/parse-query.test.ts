import { describe, expect, it } from 'vitest';
import { parseQuery } from './parse-query.js';

const parse = (qs: string, skip?: Set<string>) => parseQuery(new URLSearchParams(qs), skip);

describe('parseQuery', () => {
  it('defaults to select=*', () => {
    expect(parse('').select).toEqual([{ kind: 'star' }]);
  });

  it('keys filters, logic, order, limit and offset by embed path', () => {
    const q = parse('select=id,lists(todos(id))&id=gt.1&lists.name=eq.a&lists.todos.done=is.true&or=(a.eq.1)&lists.not.or=(b.eq.2)&order=id.desc&lists.order=name&limit=5&offset=10&lists.todos.limit=1');
    expect([...q.conditions.keys()]).toEqual(['', 'lists', 'lists.todos']);
    expect(q.conditions.get('')?.map((c) => c.kind)).toEqual(['filter', 'logic']);
    expect(q.conditions.get('lists')?.[1]).toMatchObject({ kind: 'logic', op: 'or', negate: true });
    expect(q.order.get('')).toEqual([{ field: { name: 'id', json: [] }, descending: true }]);
    expect(q.order.get('lists')).toHaveLength(1);
    expect(q.limit.get('')).toBe(5);
    expect(q.offset.get('')).toBe(10);
    expect(q.limit.get('lists.todos')).toBe(1);
  });

  it('reads columns and on_conflict, and filters with JSON paths', () => {
    const q = parse('columns="a","b"&on_conflict=a&meta->>k=eq.v');
    expect(q.columns).toEqual(['a', 'b']);
    expect(q.onConflict).toEqual(['a']);
    expect(q.conditions.get('')?.[0]).toMatchObject({ field: { name: 'meta', json: [{ arrow: '->>', key: 'k' }] } });
  });

  it('leaves out the names it is told to skip (RPC arguments on GET)', () => {
    expect(parse('a=1&b=eq.2', new Set(['a'])).conditions.get('')).toHaveLength(1);
  });

  it('a value without an operator is a parse error', () => {
    expect(() => parse('id=1')).toThrow(expect.objectContaining({ code: 'PGRST100' }));
  });
});
