import { describe, expect, it } from 'vitest';
import { missingExtensionsMessage, parseExtensions } from './extensions.js';

describe('--extensions', () => {
  it.each([
    ['pg_trgm,hstore', ['pg_trgm', 'hstore']],
    [' pg_trgm , HSTORE ,', ['pg_trgm', 'hstore']],
    ['uuid-ossp,uuid-ossp', ['uuid-ossp']],
  ])('parses %j', (input, names) => expect(parseExtensions(input)).toEqual(names));

  it.each([
    [undefined, /name the extensions/],
    ['', /name the extensions/],
    ['pg_trgm;drop table x', /is not an extension name/],
    ['"quoted"', /is not an extension name/],
  ])('refuses %j', (input, message) => expect(() => parseExtensions(input)).toThrow(message));

  it.each([
    [['pg_trgm'], ['pg_trgm', 'hstore'], undefined],
    [['vector', 'pg_trgm'], ['pg_trgm', 'hstore'], 'this PostgreSQL server has no extension "vector"; it has: hstore, pg_trgm'],
  ])('checks %j against the server', (wanted, available, message) => {
    expect(missingExtensionsMessage(wanted, available)).toBe(message);
  });
});
