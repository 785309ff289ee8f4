import { describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter } from './filters.js';

describe('postgres_changes filters', () => {
  it.each([
    ['id=eq.1', [{ column: 'id', operator: 'eq', negated: false, values: ['1'] }]],
    ['name=eq."a,b"', [{ column: 'name', operator: 'eq', negated: false, values: ['a,b'] }]],
    ['id=in.(1,2,"x,y")', [{ column: 'id', operator: 'in', negated: false, values: ['1', '2', 'x,y'] }]],
    ['id=gt.0,id=lt.100', [{ column: 'id', operator: 'gt', negated: false, values: ['0'] }, { column: 'id', operator: 'lt', negated: false, values: ['100'] }]],
    ['status=not.in.(draft)', [{ column: 'status', operator: 'in', negated: true, values: ['draft'] }]],
    ['', []],
  ])('parses %s', (filter, conditions) => {
    expect(parseFilter(filter)).toEqual(conditions);
  });

  it.each(['id', 'id=like.1', 'id=eq', 'id=in.1,2', '=eq.1'])('refuses %s', (filter) => {
    expect(() => parseFilter(filter)).toThrow(/filter/);
  });

  const row = { id: 5, name: 'bob', done: false, at: '2026-01-02T03:04:05+00:00', none: null };
  it.each([
    ['id=eq.5', true], ['id=eq.05', true], ['id=neq.5', false], ['id=lt.10', true], ['id=lt.5', false], ['id=lte.5', true],
    ['id=gt.4', true], ['id=gte.6', false], ['id=in.(1,5)', true], ['id=in.(1,2)', false], ['name=eq.bob', true],
    ['name=gt.alice', true], ['done=eq.false', true], ['at=gte.2026-01-01', true], ['none=eq.null', false],
    ['missing=eq.1', false], ['id=not.eq.5', false], ['id=gt.1,name=eq.bob', true], ['id=gt.1,name=eq.al', false],
  ])('%s on the row is %s', (filter, expected) => {
    expect(matchesFilter(parseFilter(filter), row)).toBe(expected);
  });
});
