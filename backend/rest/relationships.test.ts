import { describe, expect, it } from 'vitest';
import { RestError } from './errors.js';
import { findRelationship } from './relationships.js';
import { testCache } from './test-cache.js';

const cache = testCache();
const t = (name: string) => cache.tables.get(`public.${name}`)!;

describe('findRelationship', () => {
  const cases: [string, string, string | undefined, string, string][] = [
    // source, embed name, hint, cardinality, target
    ['books', 'authors', undefined, 'many-to-one', 'authors'],
    ['books', 'author_id', undefined, 'many-to-one', 'authors'],
    ['books', 'books_author_id_fkey', undefined, 'many-to-one', 'authors'],
    ['authors', 'books', undefined, 'one-to-many', 'books'],
    ['books', 'tags', undefined, 'many-to-many', 'tags'],
    ['tags', 'books', 'book_tags', 'many-to-many', 'books'],
    ['authors', 'bios', undefined, 'one-to-one', 'bios'],
    ['bios', 'authors', undefined, 'one-to-one', 'authors'],
    ['reviews', 'authors', 'reviews_writer_fkey', 'many-to-one', 'authors'],
    ['reviews', 'authors', 'subject_id', 'many-to-one', 'authors'],
    ['authors', 'reviews', 'writer_id', 'one-to-many', 'reviews'],
  ];
  it.each(cases)('%s -> %s (hint %s) is %s', (source, name, hint, cardinality, target) => {
    const rel = findRelationship(cache, t(source), name, hint);
    expect(rel.cardinality).toBe(cardinality);
    expect(rel.target.name).toBe(target);
  });

  it('several candidates: 300 PGRST201 listing them', () => {
    try {
      findRelationship(cache, t('reviews'), 'authors');
      expect.unreachable();
    } catch (err) {
      const e = err as RestError;
      expect(e.status).toBe(300);
      expect(e.code).toBe('PGRST201');
      expect((e.details as { cardinality: string }[]).map((d) => d.cardinality)).toEqual(['many-to-one', 'many-to-one']);
      expect(e.hint).toContain("'authors!reviews_writer_fkey'");
    }
  });

  it('none: 400 PGRST200', () => {
    expect(() => findRelationship(cache, t('books'), 'reviews')).toThrow(expect.objectContaining({ status: 400, code: 'PGRST200' }));
    expect(() => findRelationship(cache, t('reviews'), 'authors', 'nope')).toThrow(expect.objectContaining({ code: 'PGRST200' }));
  });
});

describe('relationships through views', () => {
  it('a view showing a foreign key column embeds like its table; one without it does not', async () => {
    const { buildSchemaCache } = await import('./schema-cache.js');
    const base = testCache();
    const view = (name: string, columns: string[]) => ({ schema: 'public', name, kind: 'v', columns: columns.map((c) => ({ name: c, type: 'integer', nullable: true, default: null })), primaryKey: [], uniques: [] });
    const withViews = buildSchemaCache({
      tables: [...base.tables.values(), view('book_list', ['id', 'author_id']), view('book_titles', ['id'])],
      fks: base.foreignKeys,
      functions: [],
      types: [],
      views: [{ schema: 'public', name: 'book_list', bases: [{ schema: 'public', name: 'books' }] }, { schema: 'public', name: 'book_titles', bases: [{ schema: 'public', name: 'books' }] }],
    });
    const bookList = withViews.tables.get('public.book_list')!;
    expect(bookList.primaryKey).toEqual(['id']);
    expect(findRelationship(withViews, bookList, 'authors').cardinality).toBe('many-to-one');
    expect(findRelationship(withViews, withViews.tables.get('public.authors')!, 'book_list').cardinality).toBe('one-to-many');
    expect(() => findRelationship(withViews, withViews.tables.get('public.book_titles')!, 'authors')).toThrow(expect.objectContaining({ code: 'PGRST200' }));
  });
});
