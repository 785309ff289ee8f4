/**
 * postgres_changes end to end: the project's real database on the test run's PostgreSQL
 * (wal_level=logical, as the embedded server runs), its logical replication stream, and
 * @supabase/supabase-js clients over real WebSockets. Writes are made with SQL, as an app's
 * server or another client would make them.
 */
import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { startRealtimeTestBackend, waitUntil, type RealtimeTestBackend } from './test-support.js';

const ALICE = 'aaaaaaaa-0000-0000-0000-000000000001';
const BOB = 'bbbbbbbb-0000-0000-0000-000000000002';

type Change = RealtimePostgresChangesPayload<Record<string, any>>;

function subscribed(channel: RealtimeChannel): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve(channel);
      else if (status !== 'CLOSED') reject(err ?? new Error(status));
    });
  });
}

describe('postgres_changes', () => {
  let t: RealtimeTestBackend;

  beforeAll(async () => {
    t = await startRealtimeTestBackend();
    const owner = `"${t.owner}"`;
    await t.appSql.unsafe(`
      CREATE TABLE public.notes (id int PRIMARY KEY, body text, tags text[], meta jsonb, done boolean, at timestamptz);
      ALTER TABLE public.notes REPLICA IDENTITY FULL;
      CREATE TABLE public.todos (id bigserial PRIMARY KEY, user_id uuid NOT NULL, title text);
      ALTER TABLE public.todos ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own_todos ON public.todos FOR SELECT TO authenticated USING (user_id = auth.uid());
      CREATE TABLE public.hidden (id int PRIMARY KEY);
      ALTER TABLE public.notes OWNER TO ${owner};
      ALTER TABLE public.todos OWNER TO ${owner};
      GRANT ALL ON public.notes, public.todos TO anon, authenticated, service_role;
      GRANT USAGE ON SEQUENCE public.todos_id_seq TO authenticated;
      ALTER PUBLICATION supabase_realtime ADD TABLE public.notes, public.todos, public.hidden;
    `);
  });

  afterAll(async () => {
    await t?.close();
  });

  const slots = async () => (await t.db.sql`SELECT slot_name, database FROM pg_replication_slots WHERE database = ${t.appDatabase}`).map((r) => String(r.slot_name));

  it('creates the slot on the first subscriber and loses no change written right after SUBSCRIBED', async () => {
    expect(await slots()).toEqual([]);
    const client = await t.client();
    const got: Change[] = [];
    const channel = client.channel('first').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, (p) => got.push(p));
    await new Promise<void>((resolve, reject) => {
      channel.subscribe((status) => {
        if (status !== 'SUBSCRIBED') return;
        t.appSql`INSERT INTO public.notes (id, body) VALUES (1, 'first')`.then(() => resolve(), reject);
      });
    });
    await waitUntil(() => got.length === 1, 'the insert made at SUBSCRIBED');
    expect(got[0]).toMatchObject({ eventType: 'INSERT', schema: 'public', table: 'notes', new: { id: 1, body: 'first' } });
    expect(await slots()).toEqual([expect.stringMatching(/^devflow_realtime_/)]);
    await client.removeAllChannels();
    await waitUntil(() => t.realtime.channels('chat').length === 0, 'the channel to close');
  });

  it('delivers INSERT, UPDATE, DELETE and * with rows typed as supabase-js shows them', async () => {
    const client = await t.client();
    const all: Change[] = [];
    const updates: Change[] = [];
    const deletes: Change[] = [];
    await subscribed(client.channel('notes')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'notes' }, (p) => all.push(p))
      .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'notes' }, (p) => updates.push(p))
      .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'notes' }, (p) => deletes.push(p)));
    await t.appSql`INSERT INTO public.notes (id, body, tags, meta, done, at) VALUES (10, 'ten', '{a,b}', '{"k": [1]}', true, '2026-01-02T03:04:05Z')`;
    await t.appSql`UPDATE public.notes SET body = 'TEN' WHERE id = 10`;
    await t.appSql`DELETE FROM public.notes WHERE id = 10`;
    await waitUntil(() => all.length === 3 && deletes.length === 1, 'three changes');
    expect(all.map((c) => c.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(all[0]!.new).toEqual({ id: 10, body: 'ten', tags: ['a', 'b'], meta: { k: [1] }, done: true, at: '2026-01-02T03:04:05+00:00' });
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ new: { id: 10, body: 'TEN' }, old: { id: 10, body: 'ten' } });
    expect(deletes[0]).toMatchObject({ eventType: 'DELETE', new: {}, old: { id: 10, body: 'TEN' } });
    expect(Date.parse(all[0]!.commit_timestamp)).not.toBeNaN();
    await client.removeAllChannels();
  });

  it('applies the eq, neq, lt, lte, gt, gte and in filters', async () => {
    const client = await t.client();
    const filters = ['id=eq.22', 'id=neq.22', 'id=lt.23', 'id=lte.23', 'id=gt.23', 'id=gte.23', 'id=in.(21,25)', 'body=eq.b24'];
    const got = new Map<string, number[]>(filters.map((f) => [f, []]));
    for (const filter of filters) {
      await subscribed(client.channel(`f-${filter}`).on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes', filter },
        (p) => got.get(filter)!.push(p.new.id)));
    }
    const marker: number[] = [];
    await subscribed(client.channel('marker').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, (p) => marker.push(p.new.id)));
    for (const id of [21, 22, 23, 24, 25]) await t.appSql`INSERT INTO public.notes (id, body) VALUES (${id}, ${`b${id}`})`;
    // One socket delivers in order: once the marker has the last row, every filter had its chance.
    await waitUntil(() => marker.includes(25), 'the last insert');
    expect(Object.fromEntries(got)).toEqual({
      'id=eq.22': [22], 'id=neq.22': [21, 23, 24, 25], 'id=lt.23': [21, 22], 'id=lte.23': [21, 22, 23],
      'id=gt.23': [24, 25], 'id=gte.23': [23, 24, 25], 'id=in.(21,25)': [21, 25], 'body=eq.b24': [24],
    });
    await client.removeAllChannels();
  });

  it("sends each user only the rows RLS lets them see", async () => {
    const [alice, bob] = [await t.client({ user: ALICE }), await t.client({ user: BOB })];
    const seen: Record<string, Change[]> = { alice: [], bob: [] };
    const watch = (c: SupabaseClient, who: string) => subscribed(c.channel('todos')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'todos' }, (p) => seen[who]!.push(p)));
    await watch(alice, 'alice');
    await watch(bob, 'bob');
    await t.appSql`INSERT INTO public.todos (user_id, title) VALUES (${ALICE}, 'alice only')`;
    await t.appSql`INSERT INTO public.todos (user_id, title) VALUES (${BOB}, 'bob only')`;
    await waitUntil(() => seen.alice!.length === 1 && seen.bob!.length === 1, 'each user to get their row');
    // Each socket gets changes in commit order: had Alice's row reached Bob, it would be first.
    expect(seen.alice!.map((c) => (c.new as { title?: string }).title)).toEqual(['alice only']);
    expect(seen.bob!.map((c) => (c.new as { title?: string }).title)).toEqual(['bob only']);
    const anon = await t.client();
    const anonSeen: Change[] = [];
    await subscribed(anon.channel('todos-anon').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos' }, (p) => anonSeen.push(p)));
    await t.appSql`INSERT INTO public.todos (user_id, title) VALUES (${ALICE}, 'alice again')`;
    await t.appSql`DELETE FROM public.todos WHERE title = 'bob only'`;
    // A deleted row cannot be checked against policies: as on Supabase, a DELETE goes to whoever
    // may read the table, with the old row cut to its primary key.
    await waitUntil(() => seen.alice!.length === 3 && seen.bob!.length === 2, 'the second insert and the delete');
    expect(seen.alice!.map((c) => c.eventType)).toEqual(['INSERT', 'INSERT', 'DELETE']);
    expect(seen.bob![1]).toMatchObject({ eventType: 'DELETE', old: { id: expect.any(Number) } });
    expect(Object.keys(seen.bob![1]!.old)).toEqual(['id']);
    expect(anonSeen).toEqual([]);
    await Promise.all([alice, bob, anon].map((c) => c.removeAllChannels()));
  });

  it('sees rows as the refreshed access_token allows once the client sends it', async () => {
    const client = await t.client();
    const titles: string[] = [];
    const marker: number[] = [];
    const channel = await subscribed(client.channel('signing-in', { config: { broadcast: { ack: true } } })
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos' }, (p) => titles.push((p.new as { title: string }).title))
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, (p) => marker.push(p.new.id)));
    await t.appSql`INSERT INTO public.todos (user_id, title) VALUES (${ALICE}, 'before sign-in')`;
    await t.appSql`INSERT INTO public.notes (id) VALUES (40)`;
    await waitUntil(() => marker.includes(40), 'the first marker');
    // What supabase-js does on sign-in: an access_token message on every joined channel.
    await client.realtime.setAuth(await t.userToken(ALICE));
    // The server handles a socket's frames in order: an acknowledged broadcast sent after the
    // token means the token was taken.
    expect(await channel.send({ type: 'broadcast', event: 'sync', payload: {} })).toBe('ok');
    await t.appSql`INSERT INTO public.todos (user_id, title) VALUES (${ALICE}, 'after sign-in')`;
    await waitUntil(() => titles.length === 1, 'her row');
    expect(titles).toEqual(['after sign-in']);
    await client.removeAllChannels();
  });

  it('sends nothing from a table the role may not read', async () => {
    const client = await t.client();
    const got: Change[] = [];
    const marker: Change[] = [];
    await subscribed(client.channel('hidden').on('postgres_changes', { event: '*', schema: 'public', table: 'hidden' }, (p) => got.push(p))
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, (p) => marker.push(p)));
    await t.appSql`INSERT INTO public.hidden (id) VALUES (1)`;
    await t.appSql`INSERT INTO public.notes (id) VALUES (30)`;
    await waitUntil(() => marker.length === 1, 'the marker row');
    expect(got).toEqual([]);
    await client.removeAllChannels();
  });

  it('resumes a broken replication stream on its slot: changes written while it was down arrive, once each', async () => {
    const client = await t.client();
    const got: Change[] = [];
    await subscribed(client.channel('resume').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, (p) => got.push(p)));
    await t.appSql`INSERT INTO public.notes (id, body) VALUES (501, 'before')`;
    await waitUntil(() => got.length === 1, 'the change before the break');
    const [killed] = await t.db.sql`SELECT pg_terminate_backend(active_pid) AS ok FROM pg_replication_slots WHERE database = ${t.appDatabase} AND active_pid IS NOT NULL`;
    expect(killed?.ok).toBe(true);
    // Written while the stream is down (or coming back): the slot holds them.
    await t.appSql`INSERT INTO public.notes (id, body) VALUES (502, 'during')`;
    await t.appSql.begin(async (tx) => {
      await tx`INSERT INTO public.notes (id, body) VALUES (503, 'during, one transaction')`;
      await tx`INSERT INTO public.notes (id, body) VALUES (504, 'during, one transaction')`;
    });
    await waitUntil(() => got.length >= 4, 'the changes written during the break');
    await waitUntil(() => t.logs.some((l) => /replication stream resumed/.test(l)), 'the resumed line');
    await t.appSql`INSERT INTO public.notes (id, body) VALUES (505, 'after')`;
    await waitUntil(() => got.length >= 5, 'the change after the break');
    expect(got.map((p) => (p.new as { id: number }).id)).toEqual([501, 502, 503, 504, 505]);
    expect(t.logs.find((l) => /replication stream broke/.test(l))).toMatch(/resuming from slot devflow_realtime_/);
    expect(client.getChannels()[0]?.state).toBe('joined');
    await client.removeAllChannels();
  });

  it('refuses a malformed filter at join, and drops the slot when the last subscriber leaves', async () => {
    const client = await t.client();
    const error = await new Promise<string>((resolve) => {
      client.channel('bad').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes', filter: 'id=like.1' }, () => {})
        .subscribe((status, err) => status === 'CHANNEL_ERROR' && resolve(String(err?.message)));
    });
    expect(error).toMatch(/operator must be one of eq, neq, lt, lte, gt, gte, in/);
    await client.removeAllChannels();
    await waitUntil(() => t.realtime.channels('chat').length === 0, 'every channel to close');
    let remaining: string[] = ['?'];
    await waitUntil(() => (void slots().then((s) => (remaining = s)), remaining.length === 0), 'the slot to be dropped');
  });

  it('backend:disable closes the project\'s sockets and drops its slot at once; enable serves it again, rows kept', async () => {
    const client = await t.client();
    await subscribed(client.channel('disabling').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, () => {}));
    expect(await slots()).toHaveLength(1);
    expect(await t.operations.disable(parseAppName('chat'))).toEqual({ changed: true });
    // Dropped by the time disable answers, not after the feed's linger or a socket's close.
    expect(await slots()).toEqual([]);
    await waitUntil(() => t.realtime.channels('chat').length === 0, 'the sockets to close');
    const refused = await fetch(`${t.url}/realtime/v1/api/broadcast`, {
      method: 'POST', headers: { apikey: t.view.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: 'x', event: 'y', payload: {} }] }),
    });
    expect(refused.status).toBe(404);
    await t.appSql`INSERT INTO public.notes (id, body) VALUES (600, 'written while disabled')`;
    await client.removeAllChannels();

    expect((await t.operations.enable(parseAppName('chat'))).turnedOn).toBe(true);
    const again = await t.client();
    const got: Change[] = [];
    await subscribed(again.channel('enabled').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, (p) => got.push(p)));
    await t.appSql`INSERT INTO public.notes (id, body) VALUES (601, 'after enable')`;
    await waitUntil(() => got.length === 1, 'the insert after enable');
    expect(got[0]!.new).toMatchObject({ id: 601 });
    expect(await t.appSql`SELECT body FROM public.notes WHERE id = 600`).toEqual([{ body: 'written while disabled' }]);
    await again.removeAllChannels();
  });

  it('leaves no replication slot once the service closes, as when DevFlow stops', async () => {
    const client = await t.client();
    await subscribed(client.channel('stopping').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, () => {}));
    expect(await slots()).toHaveLength(1);
    await t.realtime.close();
    expect(await slots()).toEqual([]);
  });
});

describe('the WAL limit of a postgres_changes slot', () => {
  let t: RealtimeTestBackend;

  beforeAll(async () => {
    // A limit of 1 MB checked every 100 ms, where DevFlow's default is 1 GB checked every minute.
    t = await startRealtimeTestBackend({ maxRetainedWalBytes: 1024 ** 2, walCheckMs: 100 });
    await t.appSql.unsafe(`
      CREATE TABLE public.notes (id int PRIMARY KEY);
      CREATE TABLE public.bulk (id int, pad text);
      ALTER TABLE public.notes OWNER TO "${t.owner}";
      GRANT ALL ON public.notes TO anon;
      ALTER PUBLICATION supabase_realtime ADD TABLE public.notes;
    `);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('drops a slot holding more WAL than the limit, logs a WARNING and tells its subscribers', async () => {
    const client = await t.client();
    const system: Array<{ extension?: string; status?: string; message?: string }> = [];
    await subscribed(client.channel('behind').on('system', {}, (m) => system.push(m))
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, () => {}));
    // About 8 MB of WAL in one transaction: the slot cannot confirm it before the next check.
    await t.appSql`INSERT INTO public.bulk SELECT g, repeat('x', 1000) FROM generate_series(1, 8000) g`;
    await waitUntil(() => system.some((m) => m.status === 'error'), 'the subscriber to be told');
    expect(system.find((m) => m.status === 'error')).toMatchObject({
      extension: 'postgres_changes', message: 'postgres_changes fell too far behind the database and stopped; subscribe again',
    });
    expect(t.logs.find((l) => l.includes('WARNING'))).toMatch(
      /^realtime chat: WARNING replication slot devflow_realtime_\w+ held \d+ (kB|MB) of WAL \(limit 1 MB\): postgres_changes fell behind; the slot is dropped/);
    let remaining: string[] = ['?'];
    const slots = async () => (await t.db.sql`SELECT slot_name FROM pg_replication_slots WHERE database = ${t.appDatabase}`).map((r) => String(r.slot_name));
    await waitUntil(() => (void slots().then((s) => (remaining = s)), remaining.length === 0), 'the slot to be dropped');
    await client.removeAllChannels();
  });
});
