import { describe, expect, it } from 'vitest';
import { parseQuery } from './parse-query.js';
import { checkPutBody, checkPutQuery } from './plan-put.js';
import { testCache } from './test-cache.js';

const cache = testCache();
const table = (name: string) => cache.tables.get(`public.${name}`)!;

describe('checkPutQuery', () => {
  it.each([
    ['books', 'id=eq.1'],
    ['books', 'id=eq.1&select=title,authors(name)'],
    ['book_tags', 'tag_id=eq.2&book_id=eq.1'],
  ])('%s?%s names one row', (name, qs) => {
    expect(() => checkPutQuery(table(name), parseQuery(new URLSearchParams(qs)))).not.toThrow();
  });

  it.each([
    ['books', '', 'PGRST105'],
    ['books', 'title=eq.a', 'PGRST105'],
    ['books', 'id=gt.1', 'PGRST105'],
    ['books', 'id=not.eq.1', 'PGRST105'],
    ['books', 'id=eq.1&title=eq.a', 'PGRST105'],
    ['books', 'id=eq.1&id=eq.2', 'PGRST105'],
    ['books', 'or=(id.eq.1)', 'PGRST105'],
    ['books', 'id=eq(any).{1,2}', 'PGRST105'],
    ['books', 'meta->a=eq.1', 'PGRST105'],
    ['book_tags', 'book_id=eq.1', 'PGRST105'],
    ['books', 'id=eq.1&select=*,authors(*)&authors.id=eq.1', 'PGRST105'],
    ['books', 'id=eq.1&limit=1', 'PGRST114'],
    ['books', 'id=eq.1&offset=1', 'PGRST114'],
  ])('%s?%s is refused with %s', (name, qs, code) => {
    expect(() => checkPutQuery(table(name), parseQuery(new URLSearchParams(qs)))).toThrow(expect.objectContaining({ code }));
  });
});

describe('checkPutBody', () => {
  it('takes an object or an array of one', () => {
    expect(checkPutBody({ id: 1 })).toEqual({ id: 1 });
    expect(checkPutBody([{ id: 1 }])).toEqual({ id: 1 });
  });
  it.each([[[]], [[{ id: 1 }, { id: 1 }]], [null], ['x'], [[[1]]]])('refuses %j with PGRST115', (body) => {
    expect(() => checkPutBody(body)).toThrow(expect.objectContaining({ code: 'PGRST115', status: 400 }));
  });
});
