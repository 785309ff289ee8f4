/**
 * A small schema cache built by hand for the planners' table tests: authors and books
 * (many-to-one), books and tags through book_tags (many-to-many), reviews with two foreign keys
 * to authors (ambiguous), and two functions.
 */
import { buildSchemaCache, type Column, type SchemaCache, type Table } from './schema-cache.js';

const column = (name: string, type = 'text', extra: Partial<Column> = {}): Column => ({ name, type, nullable: true, default: null, ...extra });
const table = (name: string, columns: Column[], primaryKey: string[], uniques: string[][] = [primaryKey]): Table =>
  ({ schema: 'public', name, kind: 'r', columns, primaryKey, uniques });

export function testCache(): SchemaCache {
  return buildSchemaCache({
    tables: [
      table('authors', [column('id', 'integer'), column('name')], ['id']),
      table('books', [column('id', 'integer', { default: "nextval('books_id_seq'::regclass)" }), column('title'), column('author_id', 'integer'), column('meta', 'jsonb')], ['id']),
      table('tags', [column('id', 'integer'), column('label')], ['id']),
      table('book_tags', [column('book_id', 'integer'), column('tag_id', 'integer')], ['book_id', 'tag_id']),
      table('reviews', [column('id', 'integer'), column('writer_id', 'integer'), column('subject_id', 'integer')], ['id']),
      table('bios', [column('author_id', 'integer'), column('text')], ['author_id']),
    ],
    fks: [
      { name: 'books_author_id_fkey', schema: 'public', table: 'books', columns: ['author_id'], refSchema: 'public', refTable: 'authors', refColumns: ['id'] },
      { name: 'book_tags_book_id_fkey', schema: 'public', table: 'book_tags', columns: ['book_id'], refSchema: 'public', refTable: 'books', refColumns: ['id'] },
      { name: 'book_tags_tag_id_fkey', schema: 'public', table: 'book_tags', columns: ['tag_id'], refSchema: 'public', refTable: 'tags', refColumns: ['id'] },
      { name: 'reviews_writer_fkey', schema: 'public', table: 'reviews', columns: ['writer_id'], refSchema: 'public', refTable: 'authors', refColumns: ['id'] },
      { name: 'reviews_subject_fkey', schema: 'public', table: 'reviews', columns: ['subject_id'], refSchema: 'public', refTable: 'authors', refColumns: ['id'] },
      { name: 'bios_author_id_fkey', schema: 'public', table: 'bios', columns: ['author_id'], refSchema: 'public', refTable: 'authors', refColumns: ['id'] },
    ],
    functions: [
      { schema: 'public', name: 'find_books', args: [{ name: 'q', type: 'text', hasDefault: false }], returnsSet: true, returns: 'composite',
        returnColumns: [column('id', 'integer'), column('title'), column('author_id', 'integer'), column('meta', 'jsonb')], returnTable: { schema: 'public', name: 'books' }, volatility: 's' },
      { schema: 'public', name: 'twice', args: [{ name: 'n', type: 'integer', hasDefault: false }], returnsSet: false, returns: 'scalar', returnColumns: [], returnTable: null, volatility: 'i' },
      { schema: 'public', name: 'twice', args: [{ name: 'x', type: 'numeric', hasDefault: false }, { name: 'y', type: 'numeric', hasDefault: true }], returnsSet: false, returns: 'scalar', returnColumns: [], returnTable: null, volatility: 'i' },
    ],
    types: ['pg_catalog.text', 'pg_catalog.int4', 'pg_catalog.jsonb'],
  });
}
