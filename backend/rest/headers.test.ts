import { describe, expect, it } from 'vitest';
import { chooseSchema, contentRange, parseAccept, parsePrefer, parseRange } from './headers.js';
import { statusForSqlState } from './errors.js';

describe('parsePrefer', () => {
  it('reads each preference, from one header or several', () => {
    expect(parsePrefer('return=representation, count=exact')).toMatchObject({ return: 'representation', count: 'exact', applied: ['return=representation', 'count=exact'] });
    expect(parsePrefer(['resolution=merge-duplicates', 'missing=default', 'tx=rollback'])).toMatchObject({ resolution: 'merge', missingDefault: true, rollback: true });
    expect(parsePrefer('resolution=ignore-duplicates,return=minimal')).toMatchObject({ resolution: 'ignore', return: 'minimal' });
    expect(parsePrefer('nonsense, count=lots')).toEqual({ missingDefault: false, rollback: false, applied: [] });
  });
});

describe('parseAccept', () => {
  it.each([
    [undefined, { format: 'json', stripNulls: false }],
    ['*/*', { format: 'json', stripNulls: false }],
    ['application/vnd.pgrst.object+json', { format: 'object', stripNulls: false }],
    ['application/vnd.pgrst.object+json;nulls=stripped', { format: 'object', stripNulls: true }],
    ['application/vnd.pgrst.array+json;nulls=stripped', { format: 'json', stripNulls: true }],
    ['text/csv', { format: 'csv', stripNulls: false }],
    ['application/xml;q=1, text/csv;q=0.5', { format: 'csv', stripNulls: false }],
  ])('%s', (header, expected) => {
    expect(parseAccept(header)).toEqual(expected);
  });
  it('nothing acceptable: 406 PGRST107', () => {
    expect(() => parseAccept('image/png')).toThrow(expect.objectContaining({ status: 406, code: 'PGRST107' }));
  });
});

describe('ranges', () => {
  it('reads Range and writes Content-Range', () => {
    expect(parseRange('0-9')).toEqual({ offset: 0, limit: 10 });
    expect(parseRange('items=5-')).toEqual({ offset: 5 });
    expect(parseRange(undefined)).toBeNull();
    expect(() => parseRange('9-0')).toThrow(expect.objectContaining({ status: 416 }));
    expect(contentRange(0, 10, 42)).toBe('0-9/42');
    expect(contentRange(5, 2, null)).toBe('5-6/*');
    expect(contentRange(0, 0, 0)).toBe('*/0');
  });
});

describe('chooseSchema and statuses', () => {
  it('picks an exposed schema or refuses with 406 PGRST106', () => {
    expect(chooseSchema(undefined, ['public', 'api'])).toBe('public');
    expect(chooseSchema('api', ['public', 'api'])).toBe('api');
    expect(() => chooseSchema('auth', ['public'])).toThrow(expect.objectContaining({ status: 406, code: 'PGRST106' }));
  });

  it.each([
    ['23505', 'anon', 409], ['23503', 'anon', 409], ['25006', 'anon', 405], ['42501', 'anon', 401], ['42501', 'authenticated', 403],
    ['42P01', 'anon', 404], ['42883', 'anon', 404], ['P0001', 'anon', 400], ['08006', 'anon', 503], ['53300', 'anon', 503],
    ['53400', 'anon', 500], ['40001', 'anon', 500], ['PT402', 'anon', 402], ['22P02', 'anon', 400], ['23502', 'anon', 400],
  ] as const)('%s as %s is %i', (state, role, status) => {
    expect(statusForSqlState(state, role)).toBe(status);
  });
});
