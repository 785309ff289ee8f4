import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestProject } from '../test-support.js';
import { createRestFixture } from './fixture.js';
import { startRestTestServer, type RestTestServer } from './test-server.js';

let t: TestProject;
let server: RestTestServer;
let anon: SupabaseClient;
let service: SupabaseClient;

beforeAll(async () => {
  t = await createRestFixture();
  server = await startRestTestServer(t.project);
  // Node 20 has no WebSocket of its own; supabase-js builds its realtime client eagerly.
  const options = { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws as never } };
  anon = createClient(server.url, t.project.keys.anonKey, options);
  service = createClient(server.url, t.project.keys.serviceRoleKey, options);
});
afterAll(async () => {
  await server?.close();
  await t?.drop();
});

describe('select', () => {
  it('reads rows in natural order with bigint as numbers and ranges as strings', async () => {
    const { data, error, status } = await anon.from('todos').select('id, title, big, during').lte('id', 3);
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual([
      { id: 1, title: 'buy milk', big: 9007199254740993, during: '[1,5)' },
      { id: 2, title: 'fix bike', big: null, during: null },
      { id: 3, title: 'write report', big: 1, during: '[3,8)' },
    ]);
  });

  it('renames, casts and reads JSON paths', async () => {
    const { data, error } = await anon.from('todos').select('label:title, id::text, owner:meta->owner->>name, n:meta->n').eq('id', 1);
    expect(error).toBeNull();
    expect(data).toEqual([{ label: 'buy milk', id: '1', owner: 'ada', n: 1 }]);
  });

  it('embeds many-to-one, one-to-many, many-to-many and one-to-one, with nested filters, order and limit', async () => {
    const m2o = await anon.from('todos').select('title, lists(name)').eq('id', 1).single();
    expect(m2o.data).toEqual({ title: 'buy milk', lists: { name: 'home' } });
    const o2m = await anon.from('lists').select('name, todos(title)').order('id').order('id', { referencedTable: 'todos', ascending: false }).limit(1, { referencedTable: 'todos' });
    expect(o2m.data).toEqual([
      { name: 'home', todos: [{ title: 'fix bike' }] },
      { name: 'work', todos: [{ title: 'write report' }] },
      { name: 'empty', todos: [] },
    ]);
    const filtered = await anon.from('lists').select('name, todos(title)').eq('todos.done', true).order('id').limit(2);
    expect(filtered.data).toEqual([{ name: 'home', todos: [{ title: 'fix bike' }] }, { name: 'work', todos: [] }]);
    const m2m = await anon.from('users').select('name, teams(name)').order('id');
    expect(m2m.data).toEqual([
      { name: 'ada', teams: [{ name: 'red' }, { name: 'blue' }] },
      { name: 'bob', teams: [{ name: 'blue' }] },
      { name: 'cy', teams: [] },
    ]);
    const o2o = await anon.from('users').select('name, profiles(bio)').eq('id', 1).single();
    expect(o2o.data).toEqual({ name: 'ada', profiles: { bio: 'math' } });
  });

  it('!inner drops parents without a match; an ambiguous embed needs a hint', async () => {
    const inner = await anon.from('lists').select('name, todos!inner(title)').eq('todos.done', true);
    expect(inner.data).toEqual([{ name: 'home', todos: [{ title: 'fix bike' }] }]);
    const ambiguous = await anon.from('messages').select('body, users(name)');
    expect(ambiguous.status).toBe(300);
    expect(ambiguous.error?.code).toBe('PGRST201');
    const hinted = await anon.from('messages').select('body, from:users!messages_sender_fkey(name), to:users!receiver_id(name)').order('id');
    expect(hinted.data).toEqual([
      { body: 'hi bob', from: { name: 'ada' }, to: { name: 'bob' } },
      { body: 'hi ada', from: { name: 'bob' }, to: { name: 'ada' } },
    ]);
  });

  it('reads a view, and embeds through it like its table', async () => {
    const { data } = await anon.from('open_todos').select('title').order('id');
    expect(data?.map((r) => r.title)).toEqual(['buy milk', 'write report', 'call mom, "today" (really)']);
    const fromView = await anon.from('open_todos').select('title, lists(name)').eq('id', 3).single();
    expect(fromView.data).toEqual({ title: 'write report', lists: { name: 'work' } });
    const toView = await anon.from('lists').select('name, open_todos(title)').eq('id', 1).single();
    expect(toView.data).toEqual({ name: 'home', open_todos: [{ title: 'buy milk' }] });
  });
});

describe('filters', () => {
  const titles = async (build: (q: any) => any) => {
    const { data, error } = await build(anon.from('todos').select('title').order('id'));
    expect(error).toBeNull();
    return (data as { title: string }[]).map((r) => r.title);
  };

  it('compares, matches patterns and tests null and booleans', async () => {
    expect(await titles((q) => q.neq('done', true).gt('priority', 1))).toEqual(['buy milk', 'call mom, "today" (really)']);
    expect(await titles((q) => q.gte('priority', 2).lt('priority', 3))).toEqual(['buy milk']);
    expect(await titles((q) => q.like('title', '*bike'))).toEqual(['fix bike']);
    expect(await titles((q) => q.ilike('title', 'BUY%'))).toEqual(['buy milk']);
    expect(await titles((q) => q.match({ done: true }))).toEqual(['fix bike']);
    expect(await titles((q) => q.filter('title', 'match', '^w'))).toEqual(['write report']);
    expect(await titles((q) => q.filter('title', 'imatch', '^W'))).toEqual(['write report']);
    expect(await titles((q) => q.is('priority', null))).toEqual(['fix bike']);
    expect(await titles((q) => q.not('priority', 'is', null).is('done', false).lte('priority', 1))).toEqual(['write report']);
  });

  it('in with quoted values, arrays, ranges, JSON containment and full-text search', async () => {
    expect(await titles((q) => q.in('title', ['fix bike', 'a, (b)']))).toEqual(['fix bike']);
    expect(await titles((q) => q.in('id', []))).toEqual([]);
    expect(await titles((q) => q.contains('tags', ['shop']))).toEqual(['buy milk']);
    expect(await titles((q) => q.containedBy('tags', ['work', 'x']).neq('tags', '{}'))).toEqual(['write report']);
    expect(await titles((q) => q.overlaps('tags', ['food', 'work']))).toEqual(['buy milk', 'write report']);
    expect(await titles((q) => q.contains('meta', { owner: { name: 'bob' } }))).toEqual(['write report']);
    expect(await titles((q) => q.rangeLt('during', '[6,7)'))).toEqual(['buy milk']);
    expect(await titles((q) => q.rangeGt('during', '[0,2)'))).toEqual(['write report']);
    expect(await titles((q) => q.rangeGte('during', '[2,3)'))).toEqual(['write report']);
    expect(await titles((q) => q.rangeLte('during', '[0,6)'))).toEqual(['buy milk']);
    expect(await titles((q) => q.rangeAdjacent('during', '[8,9)'))).toEqual(['write report']);
    expect(await titles((q) => q.overlaps('during', '[4,4]'))).toEqual(['buy milk', 'write report']);
    expect(await titles((q) => q.textSearch('body', 'bike'))).toEqual(['fix bike']);
    expect(await titles((q) => q.textSearch('body', 'write report', { type: 'plain', config: 'english' }))).toEqual(['write report']);
    expect(await titles((q) => q.textSearch('body', 'buy milk', { type: 'phrase' }))).toEqual(['buy milk']);
    expect(await titles((q) => q.textSearch('body', 'milk or bike', { type: 'websearch' }))).toEqual(['buy milk', 'fix bike']);
  });

  it('any and all of a list (likeAnyOf, likeAllOf)', async () => {
    expect(await titles((q) => q.likeAnyOf('title', ['*milk', 'write*']))).toEqual(['buy milk', 'write report']);
    expect(await titles((q) => q.ilikeAllOf('title', ['%I%', '%T%']))).toEqual(['write report']);
    expect(await titles((q) => q.filter('id', 'gt(all)', '{1,2}').filter('id', 'eq(any)', '{3,4}'))).toEqual(['write report', 'call mom, "today" (really)']);
  });

  it('or and and trees, negated, with quoted values', async () => {
    expect(await titles((q) => q.or('priority.eq.1,title.eq."call mom, \\"today\\" (really)"'))).toEqual(['write report', 'call mom, "today" (really)']);
    expect(await titles((q) => q.or('done.is.true,and(priority.gte.2,priority.lt.3)'))).toEqual(['buy milk', 'fix bike']);
    expect(await titles((q) => q.or('id.in.(1,3),title.like.*bike', { referencedTable: undefined }))).toEqual(['buy milk', 'fix bike', 'write report']);
  });

  it('orders with nulls first or last', async () => {
    const asc = await anon.from('todos').select('id').order('priority', { ascending: true, nullsFirst: true });
    expect(asc.data?.map((r) => r.id)).toEqual([2, 3, 1, 4]);
    const desc = await anon.from('todos').select('id').order('priority', { ascending: false, nullsFirst: false });
    expect(desc.data?.map((r) => r.id)).toEqual([4, 1, 3, 2]);
  });
});

describe('pages and counts', () => {
  it('range and count=exact give Content-Range and 206 for a partial page', async () => {
    const { data, count, status } = await anon.from('todos').select('id', { count: 'exact' }).order('id').range(1, 2);
    expect(data).toEqual([{ id: 2 }, { id: 3 }]);
    expect(count).toBe(4);
    expect(status).toBe(206);
    const head = await anon.from('todos').select('*', { count: 'exact', head: true }).eq('done', false);
    expect(head.count).toBe(3);
    expect(head.data).toBeNull();
    const planned = await anon.from('todos').select('id', { count: 'planned' });
    expect(typeof planned.count).toBe('number');
    const estimated = await anon.from('todos').select('id', { count: 'estimated' });
    expect(estimated.count).toBe(4);
  });

  it('singular responses: one row as an object, otherwise 406 PGRST116; maybeSingle gives null', async () => {
    const one = await anon.from('lists').select('name').eq('id', 2).single();
    expect(one.data).toEqual({ name: 'work' });
    const none = await anon.from('lists').select('name').eq('id', 99).single();
    expect(none.status).toBe(406);
    expect(none.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 0 rows' });
    const maybe = await anon.from('lists').select('name').eq('id', 99).maybeSingle();
    expect(maybe.error).toBeNull();
    expect(maybe.data).toBeNull();
  });

  it('CSV output', async () => {
    const { data } = await anon.from('todos').select('id, title, priority').in('id', [2, 4]).order('id').csv();
    expect(data).toBe('id,title,priority\n2,"fix bike",\n4,"call mom, ""today"" (really)",3');
  });
});

describe('PostgREST extras: PUT, ordering by an embed, the OpenAPI root, aggregates', () => {
  const put = (path: string, body: unknown, prefer?: string) => fetch(`${server.url}/rest/v1/${path}`, {
    method: 'PUT',
    headers: { apikey: t.project.keys.serviceRoleKey, authorization: `Bearer ${t.project.keys.serviceRoleKey}`, 'content-type': 'application/json', ...(prefer ? { prefer } : {}) },
    body: JSON.stringify(body),
  });

  it('PUT creates, then replaces, the one row its primary key names', async () => {
    const created = await put('users?id=eq.40', { id: 40, name: 'dee' }, 'return=representation');
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual([{ id: 40, name: 'dee' }]);
    const replaced = await put('users?id=eq.40', [{ id: 40, name: 'dora' }]);
    expect(replaced.status).toBe(204);
    expect((await service.from('users').select('name').eq('id', 40).single()).data).toEqual({ name: 'dora' });
    await service.from('users').delete().eq('id', 40);
  });

  it("PUT refuses a body that is not the URL's row, filters that are not the primary key, and limits, with PostgREST's errors", async () => {
    for (const body of [{ id: 41, name: 'eve' }, { name: 'eve' }, [{ id: 40, name: 'a' }, { id: 40, name: 'b' }], []]) {
      const res = await put('users?id=eq.40', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ code: 'PGRST115', message: 'Payload values do not match URL in primary key column(s)', details: null, hint: null });
    }
    expect((await service.from('users').select('id').in('id', [40, 41])).data).toEqual([]);
    for (const path of ['users?name=eq.dora', 'users?id=gt.3', 'users?id=eq.40&name=eq.dora', 'users?id=not.eq.40', 'users', 'members?user_id=eq.1']) {
      const res = await put(path, { id: 40, name: 'x' });
      expect(res.status, path).toBe(405);
      expect(await res.json()).toEqual({ code: 'PGRST105', message: "Filters must include all and only primary key columns with 'eq' operators", details: null, hint: null });
    }
    const limited = await put('users?id=eq.40&limit=1', { id: 40, name: 'x' });
    expect(limited.status).toBe(400);
    expect((await limited.json()).code).toBe('PGRST114');
    // A composite key: both columns named.
    const member = await put('members?user_id=eq.3&team_id=eq.1', { user_id: 3, team_id: 1 }, 'return=representation');
    expect(member.status).toBe(200);
    expect(await member.json()).toEqual([{ user_id: 3, team_id: 1 }]);
    await service.from('members').delete().eq('user_id', 3);
  });

  it("orders by a to-one embed's column (order=lists(name)) and inside an embed (referencedTable); a to-many one is refused", async () => {
    const { data, error } = await anon.from('todos').select('title, lists(name)').not('list_id', 'is', null).order('lists(name)', { ascending: false }).order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { title: 'write report', lists: { name: 'work' } },
      { title: 'buy milk', lists: { name: 'home' } },
      { title: 'fix bike', lists: { name: 'home' } },
    ]);
    // Any column of the related row, selected or not: lists.created is the same, then lists.id.
    const byId = await anon.from('todos').select('title, lists(name)').not('list_id', 'is', null).order('lists(id)', { ascending: false }).order('id', { ascending: false });
    expect(byId.data?.map((r) => r.title)).toEqual(['write report', 'fix bike', 'buy milk']);
    const inside = await anon.from('lists').select('name, todos(title)').eq('id', 1).order('title', { referencedTable: 'todos', ascending: false });
    expect(inside.data).toEqual([{ name: 'home', todos: [{ title: 'fix bike' }, { title: 'buy milk' }] }]);
    const toMany = await anon.from('lists').select('name, todos(title)').order('todos(title)');
    expect(toMany.status).toBe(400);
    expect(toMany.error).toMatchObject({ code: 'PGRST118', message: "A related order on 'todos' is not possible", details: "'lists' and 'todos' do not form a many-to-one or one-to-one relationship" });
    const notEmbedded = await anon.from('todos').select('title').order('lists(name)');
    expect(notEmbedded.error?.code).toBe('PGRST108');
  });

  it('GET /rest/v1/ describes the tables, views and functions the role may use (OpenAPI 2.0, follow-privileges)', async () => {
    const root = (key: string) => fetch(`${server.url}/rest/v1/`, { headers: { apikey: key, authorization: `Bearer ${key}` } });
    await t.adminSql.unsafe('REVOKE ALL ON messages FROM anon; REVOKE SELECT, INSERT, UPDATE, DELETE ON open_todos FROM anon; GRANT SELECT ON open_todos TO anon');
    try {
      const res = await root(t.project.keys.anonKey);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8');
      const doc = (await res.json()) as { swagger: string; paths: Record<string, Record<string, unknown>>; definitions: Record<string, { required?: string[]; properties: Record<string, { type?: string; format?: string; description?: string }> }> };
      expect(doc.swagger).toBe('2.0');
      expect(Object.keys(doc.definitions)).toContain('todos');
      expect(Object.keys(doc.definitions)).not.toContain('messages');
      expect(doc.definitions.todos!.properties.id).toEqual({ type: 'integer', format: 'bigint', description: 'Note:\nThis is a Primary Key.<pk/>' });
      expect(doc.definitions.todos!.properties.list_id!.description).toBe("Note:\nThis is a Foreign Key to `lists.id`.<fk table='lists' column='id'/>");
      expect(doc.definitions.todos!.properties.tags).toMatchObject({ type: 'array', format: 'text[]', items: { type: 'string', format: 'text' } });
      expect(doc.definitions.todos!.required).toEqual(['title']);
      expect(Object.keys(doc.paths['/todos']!).sort()).toEqual(['delete', 'get', 'patch', 'post', 'put']);
      expect(Object.keys(doc.paths['/open_todos']!)).toEqual(['get']);
      expect(doc.paths['/rpc/add']).toBeDefined();
      expect(doc.paths['/rpc/touch_list']).toEqual({ post: expect.anything() });
      const asService = (await (await root(t.project.keys.serviceRoleKey)).json()) as { definitions: Record<string, unknown> };
      expect(Object.keys(asService.definitions)).toContain('messages');
    } finally {
      await t.adminSql.unsafe('GRANT ALL ON messages, open_todos TO anon');
    }
  });

  it('aggregates: count(), sum(), avg(), min(), max(), grouped by the other selected columns, at the top and inside an embed', async () => {
    expect((await anon.from('todos').select('count()')).data).toEqual([{ count: 4 }]);
    const { data, error } = await anon.from('todos').select('list_id, count(), priority.sum(), top:priority.max()').not('list_id', 'is', null).order('list_id');
    expect(error).toBeNull();
    expect(data).toEqual([{ list_id: 1, count: 2, sum: 2, top: 2 }, { list_id: 2, count: 1, sum: 1, top: 1 }]);
    expect((await anon.from('todos').select('priority.avg()::int, priority.min()')).data).toEqual([{ avg: 2, min: 1 }]);
    const nested = await anon.from('lists').select('name, todos(count())').order('id');
    expect(nested.data).toEqual([{ name: 'home', todos: [{ count: 2 }] }, { name: 'work', todos: [{ count: 1 }] }, { name: 'empty', todos: [{ count: 0 }] }]);
    const unknown = await anon.from('todos').select('nope.sum()');
    expect(unknown.error?.code).toBe('42703');
  });
});

describe('writes', () => {
  it('insert returns 201 and nothing by default, or the rows with select()', async () => {
    const minimal = await service.from('lists').insert({ name: 'a' });
    expect(minimal.status).toBe(201);
    expect(minimal.data).toBeNull();
    const rows = await service.from('lists').insert([{ name: 'b' }, { name: 'c' }]).select('name, created');
    expect(rows.status).toBe(201);
    expect(rows.data).toEqual([{ name: 'b', created: '2026-01-01T00:00:00+00:00' }, { name: 'c', created: '2026-01-01T00:00:00+00:00' }]);
    const embedded = await service.from('todos').insert({ title: 'new', list_id: 2 }).select('title, lists(name)').single();
    expect(embedded.data).toEqual({ title: 'new', lists: { name: 'work' } });
  });

  it('bulk insert with differing keys fills missing keys with null, or with defaults when defaultToNull is false', async () => {
    const nulls = await service.from('todos').insert([{ title: 'x1', priority: 5 }, { title: 'x2', done: true }]).select('title, done, priority');
    expect(nulls.error?.code).toBe('23502');
    const defaults = await service.from('todos').insert([{ title: 'x1', priority: 5 }, { title: 'x2', done: true }], { defaultToNull: false }).select('title, done, priority');
    expect(defaults.error).toBeNull();
    expect(defaults.data).toEqual([{ title: 'x1', done: false, priority: 5 }, { title: 'x2', done: true, priority: null }]);
  });

  it('upsert merges or ignores duplicates, on the primary key or on_conflict columns', async () => {
    const merged = await service.from('users').upsert({ id: 3, name: 'cyd' }).select();
    expect(merged.data).toEqual([{ id: 3, name: 'cyd' }]);
    const byName = await service.from('users').upsert({ id: 30, name: 'cyd' }, { onConflict: 'name', ignoreDuplicates: true }).select();
    expect(byName.data).toEqual([]);
    const conflict = await service.from('users').insert({ id: 1, name: 'again' });
    expect(conflict.status).toBe(409);
    expect(conflict.error?.code).toBe('23505');
  });

  it('update and delete need filters; they return rows when asked', async () => {
    const updated = await service.from('lists').update({ name: 'chores' }).eq('name', 'a').select('name');
    expect(updated.data).toEqual([{ name: 'chores' }]);
    const noFilter = await service.from('lists').update({ name: 'all' });
    expect(noFilter.status).toBe(400);
    expect(noFilter.error).toMatchObject({ code: '21000', message: 'UPDATE requires a WHERE clause' });
    const deleted = await service.from('lists').delete().in('name', ['b', 'c', 'chores']).select('name');
    expect(deleted.data?.map((r) => r.name).sort()).toEqual(['b', 'c', 'chores']);
    const count = await service.from('lists').delete({ count: 'exact' }).eq('name', 'nothing');
    expect(count.status).toBe(204);
    expect(count.count).toBe(0);
    const deleteAll = await service.from('lists').delete();
    expect(deleteAll.error?.code).toBe('21000');
  });

  it('tx=rollback answers as if done and keeps nothing', async () => {
    const res = await fetch(`${server.url}/rest/v1/lists?select=name`, {
      method: 'POST',
      headers: { apikey: t.project.keys.serviceRoleKey, 'content-type': 'application/json', prefer: 'return=representation, tx=rollback' },
      body: JSON.stringify({ name: 'ghost' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual([{ name: 'ghost' }]);
    expect(res.headers.get('preference-applied')).toContain('tx=rollback');
    const after = await service.from('lists').select('id').eq('name', 'ghost');
    expect(after.data).toEqual([]);
  });

  it('return=headers-only gives a Location', async () => {
    const res = await fetch(`${server.url}/rest/v1/users`, {
      method: 'POST',
      headers: { apikey: t.project.keys.serviceRoleKey, 'content-type': 'application/json', prefer: 'return=headers-only' },
      body: JSON.stringify({ id: 40, name: 'dee' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/users?id=eq.40');
  });
});

describe('row-level security', () => {
  it('anon may insert but not read notes; 42501 is 401 for anon', async () => {
    const insert = await anon.from('notes').insert({ owner: '11111111-1111-1111-1111-111111111111', body: 'from anon' });
    expect(insert.status).toBe(201);
    const read = await anon.from('notes').select('body');
    expect(read.data).toEqual([]);
    const denied = await anon.from('notes').insert({ owner: '11111111-1111-1111-1111-111111111111', body: 'x' }).select();
    expect(denied.status).toBe(401);
    expect(denied.error?.code).toBe('42501');
    const all = await service.from('notes').select('body');
    expect(all.data).toEqual([{ body: 'from anon' }]);
  });
});

describe('row-level security with user tokens', () => {
  const ADA = '33333333-3333-3333-3333-333333333333';
  const BOB = '44444444-4444-4444-4444-444444444444';
  const userClient = async (sub: string) => {
    const token = await new SignJWT({ role: 'authenticated', sub, aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h')
      .sign(new TextEncoder().encode(t.project.keys.jwtSecret));
    return createClient(server.url, t.project.keys.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws as never },
      global: { headers: { Authorization: `Bearer ${token}` } },
    });
  };

  it('two users each see and change only their own rows; auth.uid() fills the owner', async () => {
    const ada = await userClient(ADA);
    const bob = await userClient(BOB);
    expect((await ada.from('notes').insert({ body: 'ada 1' }).select('owner, body')).data).toEqual([{ owner: ADA, body: 'ada 1' }]);
    await bob.from('notes').insert({ body: 'bob 1' });
    expect((await ada.from('notes').select('body')).data).toEqual([{ body: 'ada 1' }]);
    expect((await bob.from('notes').select('body')).data).toEqual([{ body: 'bob 1' }]);
    const stolen = await bob.from('notes').update({ body: 'mine now' }).eq('body', 'ada 1').select();
    expect(stolen.data).toEqual([]);
    const forged = await bob.from('notes').insert({ owner: ADA, body: 'as ada' });
    expect(forged.status).toBe(403);
    expect(forged.error?.code).toBe('42501');
    expect((await ada.rpc('whoami')).data).toEqual({ role: 'authenticated', uid: ADA });
    const all = await service.from('notes').select('body').like('body', '*1');
    expect(all.data?.map((r) => r.body).sort()).toEqual(['ada 1', 'bob 1']);
  });
});

describe('rpc', () => {
  it('scalar functions over POST and GET', async () => {
    expect((await anon.rpc('add', { a: 2, b: 3 })).data).toBe(5);
    expect((await anon.rpc('add', { a: 2, b: 3 }, { get: true })).data).toBe(5);
    expect((await anon.rpc('hello')).data).toBe('hello world');
    expect((await anon.rpc('whoami')).data).toEqual({ role: 'anon', uid: null });
  });

  it('set-returning functions with filters, order, limit and embeds on their results', async () => {
    const found = await anon.rpc('search_todos', { q: 'i' }).select('title, lists(name)').eq('done', false).order('id', { ascending: false }).limit(2);
    expect(found.data).toEqual([{ title: 'write report', lists: { name: 'work' } }, { title: 'buy milk', lists: { name: 'home' } }]);
    const table = await anon.rpc('list_stats').in('list', ['home', 'empty']);
    expect(table.data).toEqual([{ list: 'home', n: 2 }, { list: 'empty', n: 0 }]);
    expect((await anon.rpc('numbers', { n: 3 })).data).toEqual([1, 2, 3]);
  });

  it('void functions answer 204; a volatile function over GET is refused as read only; an unknown one is PGRST202', async () => {
    const v = await service.rpc('touch_list', { list_id: 3 });
    expect(v.status).toBe(204);
    const get = await service.rpc('touch_list', { list_id: 3 }, { get: true });
    expect(get.status).toBe(405);
    expect(get.error?.code).toBe('25006');
    const unknown = await anon.rpc('nope', { x: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.error?.code).toBe('PGRST202');
  });
});

describe('schema cache', () => {
  it('sees a table created after the first request', async () => {
    await t.project.sql.unsafe('CREATE TABLE later (id int PRIMARY KEY, note text); INSERT INTO later VALUES (1, \'x\')');
    const { data, error } = await service.from('later').select('note');
    expect(error).toBeNull();
    expect(data).toEqual([{ note: 'x' }]);
  });

  it('reloads after the NOTIFY of a change that names nothing new (a column changing type)', async () => {
    await t.project.sql.unsafe('CREATE TABLE typed (id int PRIMARY KEY, code int); INSERT INTO typed VALUES (1, 7)');
    expect((await service.from('typed').select('id').eq('code', 7)).data).toEqual([{ id: 1 }]);
    await t.project.sql.unsafe("ALTER TABLE typed ALTER COLUMN code TYPE text; UPDATE typed SET code = 'A7'");
    // The cache still says integer until the event trigger's NOTIFY arrives; poll for it.
    let answer = await service.from('typed').select('id').eq('code', 'A7');
    for (let i = 0; i < 100 && answer.error; i++) {
      await new Promise((r) => setTimeout(r, 50));
      answer = await service.from('typed').select('id').eq('code', 'A7');
    }
    expect(answer.error).toBeNull();
    expect(answer.data).toEqual([{ id: 1 }]);
  });

  it('sees a column added later', async () => {
    await service.from('later').select('note');
    await t.project.sql.unsafe('ALTER TABLE later ADD COLUMN extra int DEFAULT 7');
    const { data, error } = await service.from('later').select('extra');
    expect(error).toBeNull();
    expect(data).toEqual([{ extra: 7 }]);
  });
});
