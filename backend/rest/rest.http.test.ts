/**
 * What supabase-js cannot express, over raw HTTP: quoting in filter values, hostile input
 * (SQL in values and names, unknown names, huge selects, negative limits, oversized bodies),
 * media types, profiles. Each answer is PostgREST's status and error shape, the data is intact
 * afterwards, and the server keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestProject } from '../test-support.js';
import { createRestFixture } from './fixture.js';
import { createRestService } from './service.js';
import { startRestTestServer, type RestTestServer } from './test-server.js';

let t: TestProject;
let server: RestTestServer;

beforeAll(async () => {
  t = await createRestFixture();
  await t.project.sql.unsafe(`CREATE SCHEMA extra;
    CREATE TABLE extra.things (id int PRIMARY KEY, name text);
    INSERT INTO extra.things VALUES (1, 'in extra');
    GRANT USAGE ON SCHEMA extra TO anon, authenticated, service_role;
    GRANT ALL ON ALL TABLES IN SCHEMA extra TO anon, authenticated, service_role;`);
  server = await startRestTestServer(t.project, createRestService({ schemas: ['public', 'extra'], maxBodyBytes: 64 * 1024 }));
});
afterAll(async () => {
  await server?.close();
  await t?.drop();
});

async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${server.url}/rest/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { apikey: t.project.keys.anonKey, 'content-type': 'application/json', ...init.headers },
    body: init.body,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

const q = encodeURIComponent;

describe('filter values PostgREST quotes', () => {
  it('in-lists and logic trees take double-quoted values with commas, parentheses and escaped quotes', async () => {
    const inList = await call(`/todos?select=id&title=in.(${q('"call mom, \\"today\\" (really)"')},${q('fix bike')})&order=id`);
    expect(inList).toMatchObject({ status: 200, json: [{ id: 2 }, { id: 4 }] });
    const or = await call(`/todos?select=id&or=${q('(title.eq."call mom, \\"today\\" (really)",id.eq.1)')}&order=id`);
    expect(or.json).toEqual([{ id: 1 }, { id: 4 }]);
    const notOr = await call(`/todos?select=id&not.or=${q('(done.is.true,priority.gt.1)')}`);
    expect(notOr.json).toEqual([{ id: 3 }]);
    const nested = await call(`/lists?select=name,todos(id)&todos.or=${q('(id.eq.1,id.eq.3)')}&order=id`);
    expect(nested.json).toEqual([{ name: 'home', todos: [{ id: 1 }] }, { name: 'work', todos: [{ id: 3 }] }, { name: 'empty', todos: [] }]);
  });

  it('an embed filtered with is.null keeps the parents without related rows', async () => {
    const res = await call('/lists?select=name,todos(id)&todos=is.null');
    expect(res.json).toEqual([{ name: 'empty', todos: [] }]);
  });
});

describe('hostile input', () => {
  it('SQL in a value is a value: a text never matches, a number is a type error', async () => {
    const text = await call(`/todos?select=id&title=eq.${q("x' OR '1'='1")}`);
    expect(text).toMatchObject({ status: 200, json: [] });
    const number = await call(`/todos?id=eq.${q('1; DROP TABLE todos; --')}`);
    expect(number.status).toBe(400);
    expect(number.json).toMatchObject({ code: '22P02', details: null, hint: null });
    const like = await call(`/todos?select=id&title=like.${q("%') OR true --")}`);
    expect(like.json).toEqual([]);
  });

  it('SQL in names: unknown columns, tables and relations are refused before anything runs', async () => {
    const column = await call(`/todos?select=${q('id,"title\\";DROP TABLE todos;--"')}`);
    expect(column.status).toBe(400);
    expect(column.json).toMatchObject({ code: '42703', message: 'column todos.title";DROP TABLE todos;-- does not exist' });
    const filter = await call(`/todos?${q('nope')}=eq.1`);
    expect(filter.json).toMatchObject({ code: '42703', message: 'column todos.nope does not exist' });
    const table = await call(`/${q('todos; DROP TABLE lists')}`);
    expect(table.status).toBe(404);
    expect(table.json).toMatchObject({ code: 'PGRST205', message: "Could not find the table 'public.todos; DROP TABLE lists' in the schema cache" });
    const relation = await call('/todos?select=id,nothing(*)');
    expect(relation.status).toBe(400);
    expect(relation.json).toMatchObject({ code: 'PGRST200' });
    const order = await call(`/todos?order=${q('id;DROP TABLE todos')}`);
    expect(order.status).toBe(400);
    expect(order.json).toMatchObject({ code: 'PGRST100' });
    const jsonKey = await call(`/todos?select=${q("k:meta->>x'); DROP TABLE todos; --")}&id=eq.1`);
    expect(jsonKey.status).toBe(400);
    const cast = await call(`/todos?select=${q('id::text);DROP TABLE todos')}`);
    expect(cast.status).toBe(400);
    const operator = await call('/todos?id=like2.1');
    expect(operator).toMatchObject({ status: 400, json: { code: 'PGRST100' } });
    const embedFilter = await call('/todos?select=id&lists.name=eq.home');
    expect(embedFilter).toMatchObject({ status: 400, json: { code: 'PGRST108' } });
  });

  it('huge select trees are refused with PGRST100', async () => {
    const deep = `id,${'lists(id,todos('.repeat(20)}id${'))'.repeat(20)}`;
    expect(await call(`/todos?select=${q(deep)}`)).toMatchObject({ status: 400, json: { code: 'PGRST100' } });
    const wide = Array.from({ length: 1500 }, () => 'id').join(',');
    expect(await call(`/todos?select=${wide}`)).toMatchObject({ status: 400, json: { code: 'PGRST100' } });
    const unbalanced = await call(`/todos?select=${q('id,lists(name')}`);
    expect(unbalanced).toMatchObject({ status: 400, json: { code: 'PGRST100' } });
  });

  it('limit=-1 and a range past the end are 416 PGRST103', async () => {
    const negative = await call('/todos?limit=-1');
    expect(negative).toMatchObject({ status: 416, json: { code: 'PGRST103', message: 'Requested range not satisfiable' } });
    const past = await call('/todos?offset=10', { headers: { prefer: 'count=exact' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('*/4');
    const badRange = await call('/todos', { headers: { range: '5-2' } });
    expect(badRange.status).toBe(416);
    const range = await call('/todos?select=id&order=id', { headers: { range: '1-2' } });
    expect(range).toMatchObject({ status: 200, json: [{ id: 2 }, { id: 3 }] });
    expect(range.headers.get('content-range')).toBe('1-2/*');
  });

  it('a body over the limit is 413; invalid JSON is 400 PGRST102; the server stays up', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(100 * 1024) });
    const tooBig = await call('/lists', { method: 'POST', body: big, headers: { apikey: t.project.keys.serviceRoleKey } });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toMatchObject({ code: 'PGRST102' });
    const invalid = await call('/lists', { method: 'POST', body: '{"name": ', headers: { apikey: t.project.keys.serviceRoleKey } });
    expect(invalid).toMatchObject({ status: 400, json: { code: 'PGRST102', message: 'Empty or invalid json' } });
    const unknownKey = await call('/lists', { method: 'POST', body: '{"nam": "x"}', headers: { apikey: t.project.keys.serviceRoleKey } });
    expect(unknownKey).toMatchObject({ status: 400, json: { code: 'PGRST204', message: "Could not find the 'nam' column of 'lists' in the schema cache" } });
    const after = await call('/todos?select=id&order=id');
    expect(after.json).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
    const [row] = await t.adminSql`SELECT count(*)::int AS n FROM lists`;
    expect(row?.n).toBe(3);
  });
});

describe('media types and profiles', () => {
  it('an unknown Accept is 406 PGRST107; stripped nulls leave keys out', async () => {
    expect(await call('/todos', { headers: { accept: 'application/xml' } })).toMatchObject({ status: 406, json: { code: 'PGRST107' } });
    const stripped = await call('/todos?select=id,priority&id=eq.2', { headers: { accept: 'application/vnd.pgrst.array+json;nulls=stripped' } });
    expect(stripped.json).toEqual([{ id: 2 }]);
  });

  it('Accept-Profile and Content-Profile pick an exposed schema; others are 406 PGRST106', async () => {
    const other = await call('/things?select=name', { headers: { 'accept-profile': 'extra' } });
    expect(other.json).toEqual([{ name: 'in extra' }]);
    const write = await call('/things', { method: 'POST', body: '{"id": 2, "name": "two"}', headers: { 'content-profile': 'extra', prefer: 'return=representation' } });
    expect(write).toMatchObject({ status: 201, json: [{ id: 2, name: 'two' }] });
    const hidden = await call('/users', { headers: { 'accept-profile': 'auth' } });
    expect(hidden).toMatchObject({ status: 406, json: { code: 'PGRST106', message: 'The schema must be one of the following: public, extra' } });
  });

  it('unsupported methods and paths', async () => {
    expect(await call('/todos', { method: 'PROPFIND', body: '{}' })).toMatchObject({ status: 405, json: { code: 'PGRST117' } });
    // PUT is an upsert of the one row its primary-key filters name (plan-put.ts).
    expect(await call('/todos', { method: 'PUT', body: '{}' })).toMatchObject({ status: 405, json: { code: 'PGRST105' } });
    expect(await call('/a/b/c')).toMatchObject({ status: 404, json: { code: 'PGRST125' } });
    expect(await call('/lists', { method: 'POST', body: 'name=x', headers: { 'content-type': 'text/plain' } })).toMatchObject({ status: 415 });
  });
});
