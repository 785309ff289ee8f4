import { describe, expect, it } from 'vitest';
import { columnSchema, openApiDocument } from './openapi.js';
import { testCache } from './test-cache.js';

describe('columnSchema', () => {
  it.each([
    ['integer', { type: 'integer', format: 'integer' }],
    ['bigint', { type: 'integer', format: 'bigint' }],
    ['numeric(10,2)', { type: 'number', format: 'numeric(10,2)' }],
    ['double precision', { type: 'number', format: 'double precision' }],
    ['boolean', { type: 'boolean', format: 'boolean' }],
    ['jsonb', { format: 'jsonb' }],
    ['timestamp with time zone', { type: 'string', format: 'timestamp with time zone' }],
    ['character varying(20)', { type: 'string', format: 'character varying(20)' }],
    ['integer[]', { type: 'array', format: 'integer[]', items: { type: 'integer', format: 'integer' } }],
  ])('%s', (pg, schema) => {
    expect(columnSchema(pg)).toEqual(schema);
  });
});

describe('openApiDocument', () => {
  const cache = testCache();
  const doc = (tables: [string, boolean][], functions: string[] = []) =>
    openApiDocument(cache, 'public', { tables: new Map(tables), functions: new Set(functions) }, 'x.test') as {
      paths: Record<string, Record<string, unknown>>; definitions: Record<string, { properties: Record<string, { description?: string }> }>; host: string;
    };

  it('lists only what the role may use, read-only relations with GET alone', () => {
    const d = doc([['books', true], ['authors', false]], ['twice']);
    expect(Object.keys(d.definitions)).toEqual(['authors', 'books']);
    expect(Object.keys(d.paths).sort()).toEqual(['/', '/authors', '/books', '/rpc/twice']);
    expect(Object.keys(d.paths['/authors']!)).toEqual(['get']);
    expect(Object.keys(d.paths['/books']!).sort()).toEqual(['delete', 'get', 'patch', 'post', 'put']);
    expect(Object.keys(d.paths['/rpc/twice']!).sort()).toEqual(['get', 'post']);
    expect(d.host).toBe('x.test');
  });

  it('notes primary and foreign keys as PostgREST does', () => {
    const d = doc([['books', true]]);
    expect(d.definitions.books!.properties.id!.description).toBe('Note:\nThis is a Primary Key.<pk/>');
    expect(d.definitions.books!.properties.author_id!.description).toBe("Note:\nThis is a Foreign Key to `authors.id`.<fk table='authors' column='id'/>");
    expect(d.definitions.books!.properties.title!.description).toBeUndefined();
  });

  it('is empty but for itself when the role may use nothing', () => {
    expect(doc([])).toMatchObject({ paths: { '/': expect.anything() }, definitions: {} });
    expect(Object.keys(doc([]).paths)).toEqual(['/']);
  });
});
