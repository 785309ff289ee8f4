import { describe, expect, it } from 'vitest';
import { parseQuery } from './parse-query.js';
import { planRead } from './plan-read.js';
import { chooseFunction, planRpc } from './plan-rpc.js';
import { planWrite, type Mutation } from './plan-write.js';
import { testCache } from './test-cache.js';

const cache = testCache();
const books = cache.tables.get('public.books')!;
const json = { format: 'json' as const, stripNulls: false };
const read = (qs: string, count: 'exact' | 'planned' | null = null) =>
  planRead(cache, { table: books, query: parseQuery(new URLSearchParams(qs)), output: json, count, limit: undefined, offset: 0 });

describe('planRead', () => {
  it('binds every value and JSON key; user text never reaches the SQL text', () => {
    const hostile = "x'); DROP TABLE books; --";
    const plan = read(`select=id,k:meta->>${encodeURIComponent(JSON.stringify(hostile))}&title=eq.${encodeURIComponent(hostile)}&or=(id.in.(1,2),title.like.*${encodeURIComponent('%')}*)`);
    expect(plan.text).not.toContain('DROP');
    expect(plan.params).toEqual([hostile, hostile, '1', '2', '%%%']);
    expect(plan.text).toContain('"pgrst_source_0"."title" = CAST($2::text AS text)');
    expect(plan.text).toContain('"pgrst_source_0"."id" IN (CAST($3::text AS integer), CAST($4::text AS integer))');
  });

  const shapes: [string, string[]][] = [
    ['select=title,authors(name)', ['LEFT JOIN LATERAL (SELECT row_to_json(pgrst_row) AS body', '"pgrst_source_0"."author_id" = "pgrst_1"."id"']],
    ['select=title,tags(label)', ['json_agg(pgrst_row)', 'JOIN "public"."book_tags" AS "pgrst_junction_', "coalesce(\"pgrst_embed_"]],
    ['select=title,authors!inner(name)&authors.name=eq.x', ['.body IS NOT NULL', '"pgrst_1"."name" = CAST($1::text AS text)']],
    ['select=title&order=title.desc.nullslast,id&limit=3', ['ORDER BY "pgrst_source_0"."title" DESC NULLS LAST, "pgrst_source_0"."id" ASC']],
    ['select=id::text', ['CAST("pgrst_source_0"."id" AS "pg_catalog"."text")']],
    ['select=title,...authors(name)', ['"pgrst_embed_2".*']],
    ['select=author_id,n:count(),id.sum()', ['count(*) AS "n"', 'sum("pgrst_source_0"."id") AS "sum"', ' GROUP BY "pgrst_source_0"."author_id"']],
    ['select=count()', ['SELECT count(*) AS "count" FROM "public"."books" AS "pgrst_source_0"']],
    ['select=id.max()::text', ['CAST(max("pgrst_source_0"."id") AS "pg_catalog"."text") AS "max"']],
    ['select=title,tags(count())', ['SELECT count(*) AS "count" FROM "public"."tags"']],
    ['select=title,authors(name)&order=authors(id).desc', ['ORDER BY (SELECT "pgrst_order_3"."id" FROM "public"."authors" AS "pgrst_order_3" WHERE "pgrst_source_0"."author_id" = "pgrst_order_3"."id") DESC']],
  ];
  it.each(shapes)('%s', (qs, fragments) => {
    const plan = read(qs);
    for (const fragment of fragments) expect(plan.text).toContain(fragment);
  });

  it('groups only when the select aggregates', () => {
    expect(read('select=author_id,title').text).not.toContain('GROUP BY');
    expect(read('select=count()').text).not.toContain('GROUP BY');
    expect(read('select=*,count()').text).toContain('GROUP BY "pgrst_source_0"."id", "pgrst_source_0"."title", "pgrst_source_0"."author_id", "pgrst_source_0"."meta"');
  });

  it('count=exact counts in the same statement; count=planned explains with its own parameters', () => {
    expect(read('title=eq.a', 'exact').text).toContain('(SELECT count(*) FROM (SELECT 1 FROM "public"."books"');
    const planned = read('select=meta->>k&title=eq.a', 'planned');
    expect(planned.explainText).toMatch(/^EXPLAIN \(FORMAT JSON\) SELECT 1 FROM "public"."books" AS "pgrst_source_0" {2}WHERE "pgrst_source_0"."title" = CAST\(\$1::text AS text\)$/);
    expect(planned.explainParams).toEqual(['a']);
  });

  it.each([
    ['select=nope', '42703'],
    ['nope=eq.1', '42703'],
    ['order=nope', '42703'],
    ['select=id,reviews(*)', 'PGRST200'],
    ['select=id::nosuchtype', '42704'],
    ['select=id&authors.name=eq.x', 'PGRST108'],
    ['select=*,authors(*)&authors=eq.1', 'PGRST100'],
    ['select=title&order=authors(name)', 'PGRST108'],
    ['select=title,authors(name)&order=authors(nope)', '42703'],
    ['select=title,tags(label)&order=tags(label)', 'PGRST118'],
    ['select=nope.sum()', '42703'],
  ])('%s is refused with %s', (qs, code) => {
    expect(() => read(qs)).toThrow(expect.objectContaining({ code }));
  });
});

describe('planWrite', () => {
  const write = (mutation: Mutation, returning: 'minimal' | 'representation' = 'minimal', qs = '') =>
    planWrite(cache, { table: books, query: parseQuery(new URLSearchParams(qs)), output: json, returning, mutation });

  it("PUT keeps only body rows matching the URL's key, compared by the column's type, then upserts on the key", () => {
    const plan = write({ kind: 'insert', body: '{"id":1,"title":"t"}', columns: ['id', 'title'], missingDefault: false, upsert: { resolution: 'merge', onConflict: ['id'] }, matchFilters: true }, 'minimal', 'id=eq.1');
    expect(plan.text).toContain('AS pgrst_r WHERE "pgrst_r"."id" = CAST($2::text AS integer) ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "title" = EXCLUDED."title"');
    expect(plan.params).toEqual(['{"id":1,"title":"t"}', '1']);
  });

  it('inserts through json_populate_record of the table type; minimal has no RETURNING', () => {
    const plan = write({ kind: 'insert', body: '{"title":"t"}', columns: ['title'], missingDefault: false });
    expect(plan.text).toBe('INSERT INTO "public"."books" AS "pgrst_source_0" ("title") SELECT pgrst_r."title" FROM json_array_elements(CASE WHEN json_typeof($1::text::json) = \'array\' THEN $1::text::json ELSE json_build_array($1::text::json) END) AS pgrst_j(j), LATERAL json_populate_record(NULL::"public"."books", pgrst_j.j) AS pgrst_r');
    expect(plan.params).toEqual(['{"title":"t"}']);
    expect(plan.returnsRows).toBe(false);
  });

  it('missing=default falls back to the column default for absent keys', () => {
    const plan = write({ kind: 'insert', body: '[]', columns: ['id', 'title'], missingDefault: true });
    expect(plan.text).toContain("CASE WHEN (pgrst_j.j -> $2::text) IS NULL THEN nextval('books_id_seq'::regclass) ELSE pgrst_r.\"id\" END");
    expect(plan.text).toContain('CASE WHEN (pgrst_j.j -> $3::text) IS NULL THEN NULL ELSE pgrst_r."title" END');
  });

  it('upserts merge or ignore on the conflict columns', () => {
    const merge = write({ kind: 'insert', body: '{}', columns: ['id', 'title'], missingDefault: false, upsert: { resolution: 'merge', onConflict: ['id'] } });
    expect(merge.text).toContain('ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "title" = EXCLUDED."title"');
    const ignore = write({ kind: 'insert', body: '{}', columns: ['id'], missingDefault: false, upsert: { resolution: 'ignore', onConflict: ['id'] } });
    expect(ignore.text).toContain('ON CONFLICT ("id") DO NOTHING');
  });

  it('update and delete take the filters; representation returns rows through the select planner', () => {
    const update = write({ kind: 'update', body: '{"title":"u"}', columns: ['title'] }, 'representation', 'select=title,authors(name)&id=eq.1');
    expect(update.text).toMatch(/^WITH pgrst_source AS \(UPDATE "public"."books" AS "pgrst_source_0" SET "title" = pgrst_body."title" FROM json_populate_record\(NULL::"public"."books", \$1::text::json\) AS pgrst_body WHERE "pgrst_source_0"."id" = CAST\(\$2::text AS integer\) RETURNING "pgrst_source_0".\*\) /);
    expect(update.text).toContain('FROM pgrst_source AS "pgrst_source_0" LEFT JOIN LATERAL');
    const del = write({ kind: 'delete' }, 'minimal', 'title=like.a*');
    expect(del.text).toBe('DELETE FROM "public"."books" AS "pgrst_source_0" WHERE "pgrst_source_0"."title" LIKE $1::text');
    expect(del.params).toEqual(['a%']);
  });
});

describe('rpc', () => {
  it('chooses the overload by argument names', () => {
    expect(chooseFunction(cache, 'public', 'twice', ['n']).args[0]?.type).toBe('integer');
    expect(chooseFunction(cache, 'public', 'twice', ['x']).args[0]?.type).toBe('numeric');
    expect(() => chooseFunction(cache, 'public', 'twice', ['z'])).toThrow(expect.objectContaining({ status: 404, code: 'PGRST202' }));
    expect(() => chooseFunction(cache, 'public', 'twice', [])).toThrow(expect.objectContaining({ code: 'PGRST202' }));
  });

  it('passes arguments by name from one JSON object and filters the results', () => {
    const fn = chooseFunction(cache, 'public', 'find_books', ['q']);
    const plan = planRpc(cache, { fn, args: '{"q":"a"}', argNames: ['q'], query: parseQuery(new URLSearchParams('select=title,authors(name)&id=gt.1')), output: json, limit: 10, offset: 0 });
    expect(plan.text).toContain('FROM json_to_record($1::text::json) AS pgrst_args("q" text), "public"."find_books"("q" := pgrst_args."q") AS "pgrst_call_0"');
    expect(plan.text).toContain('WHERE "pgrst_call_0"."id" > CAST($');
    expect(plan.params[0]).toBe('{"q":"a"}');
  });
});
