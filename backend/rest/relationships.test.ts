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
