/**
 * Realtime's channels end to end in one process: the real gateway and Realtime service on a
 * loopback server, @supabase/supabase-js clients over real WebSockets, on both protocol
 * versions (1.0.0 JSON, 2.0.0 with binary broadcasts). Broadcast, presence, the HTTP broadcast
 * endpoint, tokens, and what a hostile or broken client gets.
 */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseAppName } from '../../core/names.js';
import { startRealtimeTestBackend, waitUntil, type RealtimeTestBackend } from './test-support.js';

const VERSIONS = ['1.0.0', '2.0.0'] as const;

async function subscribed(channel: RealtimeChannel): Promise<RealtimeChannel> {
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status !== 'CLOSED') reject(err ?? new Error(status));
    });
  });
  return channel;
}

/** A raw client, to send what supabase-js never would. */
async function rawSocket(url: string): Promise<{ socket: WebSocket; received: string[]; closed: Promise<number> }> {
  const socket = new WebSocket(url);
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString()));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received, closed };
}

describe('realtime channels', () => {
  let t: RealtimeTestBackend;

  beforeAll(async () => {
    t = await startRealtimeTestBackend();
  });

  afterAll(async () => {
    await t?.close();
  });

  const wsUrl = (query: string) => `${t.base.replace('http', 'ws')}/backend/chat/realtime/v1/websocket?${query}`;

  for (const vsn of VERSIONS) {
    it(`broadcasts between two clients on ${vsn}, with self and ack as configured`, async () => {
      const [a, b] = [await t.client({ vsn }), await t.client({ vsn })];
      const gotA: unknown[] = [];
      const gotB: unknown[] = [];
      const room = `room-${vsn}`;
      const chA = await subscribed(a.channel(room, { config: { broadcast: { self: true, ack: true } } })
        .on('broadcast', { event: 'cursor' }, (m) => gotA.push(m)));
      const chB = await subscribed(b.channel(room).on('broadcast', { event: 'cursor' }, (m) => gotB.push(m)));
      expect(await chA.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } })).toBe('ok');
      await waitUntil(() => gotA.length === 1 && gotB.length === 1, 'both to receive the broadcast');
      expect(gotB[0]).toMatchObject({ type: 'broadcast', event: 'cursor', payload: { x: 1 } });
      expect(gotA[0]).toMatchObject({ event: 'cursor', payload: { x: 1 } });
      // B has self off: its own message reaches A only.
      await chB.send({ type: 'broadcast', event: 'cursor', payload: { x: 2 } });
      await waitUntil(() => gotA.length === 2, 'A to receive B\'s broadcast');
      await chA.send({ type: 'broadcast', event: 'cursor', payload: { x: 3 } });
      await waitUntil(() => gotB.length === 2, 'B to receive A\'s next broadcast');
      expect(gotB.map((m) => (m as { payload: { x: number } }).payload.x)).toEqual([1, 3]);
      await a.removeAllChannels();
      await b.removeAllChannels();
    });

    it(`keeps presence in sync between two clients on ${vsn}: sync, join and leave fire`, async () => {
      const [a, b] = [await t.client({ vsn }), await t.client({ vsn })];
      const room = `lobby-${vsn}`;
      const events: string[] = [];
      const chA = a.channel(room, { config: { presence: { key: 'alice' } } });
      chA.on('presence', { event: 'sync' }, () => events.push('sync'))
        .on('presence', { event: 'join' }, ({ key }) => events.push(`join:${key}`))
        .on('presence', { event: 'leave' }, ({ key }) => events.push(`leave:${key}`));
      await subscribed(chA);
      expect(await chA.track({ online_at: 'now' })).toBe('ok');
      const chB = await subscribed(b.channel(room, { config: { presence: { key: 'bob' } } }).on('presence', { event: 'sync' }, () => {}));
      await chB.track({ status: 'typing' });
      await waitUntil(() => Object.keys(chA.presenceState()).length === 2 && Object.keys(chB.presenceState()).length === 2, 'both to see both');
      expect(chB.presenceState().alice).toEqual([expect.objectContaining({ online_at: 'now', presence_ref: expect.any(String) })]);
      expect(events).toContain('join:alice');
      expect(events).toContain('join:bob');
      expect(events).toContain('sync');
      await chB.untrack();
      await waitUntil(() => events.includes('leave:bob'), 'A to see bob leave');
      expect(Object.keys(chA.presenceState())).toEqual(['alice']);
      await chB.track({ status: 'back' });
      await waitUntil(() => Object.keys(chA.presenceState()).length === 2, 'bob back');
      await b.removeAllChannels();
      await waitUntil(() => Object.keys(chA.presenceState()).length === 1, 'bob gone when his client leaves');
      await a.removeAllChannels();
    });
  }

  it('carries broadcasts between a 1.0.0 and a 2.0.0 client, binary payloads as bytes on 2.0.0', async () => {
    const [v1, v2, v2b] = [await t.client({ vsn: '1.0.0' }), await t.client({ vsn: '2.0.0' }), await t.client({ vsn: '2.0.0' })];
    const got1: any[] = [];
    const got2: any[] = [];
    const ch1 = await subscribed(v1.channel('mixed').on('broadcast', { event: '*' }, (m) => got1.push(m)));
    await subscribed(v2.channel('mixed').on('broadcast', { event: '*' }, (m) => got2.push(m)));
    const sender = await subscribed(v2b.channel('mixed'));
    await ch1.send({ type: 'broadcast', event: 'hello', payload: { from: 'v1' } });
    await waitUntil(() => got2.length === 1, 'the 2.0.0 client to receive');
    expect(got2[0]).toMatchObject({ event: 'hello', payload: { from: 'v1' } });
    await sender.send({ type: 'broadcast', event: 'bytes', payload: new Uint8Array([1, 2, 255]).buffer });
    // The 1.0.0 client sent 'hello' itself (self is off), so 'bytes' is its first message.
    await waitUntil(() => got2.length === 2 && got1.length === 1, 'both to receive the bytes');
    expect([...new Uint8Array(got2[1].payload as ArrayBuffer)]).toEqual([1, 2, 255]);
    expect(got1[0]).toMatchObject({ event: 'bytes', payload: Buffer.from([1, 2, 255]).toString('base64') });
    await Promise.all([v1, v2, v2b].map((c) => c.removeAllChannels()));
  });

  it('sends through the HTTP broadcast endpoints, with the key the gateway checked', async () => {
    const client = await t.client();
    const got: any[] = [];
    const channel = await subscribed(client.channel('news').on('broadcast', { event: 'headline' }, (m) => got.push(m)));
    const res = await fetch(`${t.url}/realtime/v1/api/broadcast`, {
      method: 'POST', headers: { apikey: t.view.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: 'news', event: 'headline', payload: { title: 'one' } }] }),
    });
    expect(res.status).toBe(202);
    await waitUntil(() => got.length === 1, 'the HTTP broadcast');
    expect(got[0]).toMatchObject({ event: 'headline', payload: { title: 'one' } });
    expect(await channel.httpSend('headline', { title: 'two' })).toEqual({ success: true });
    await waitUntil(() => got.length === 2, 'httpSend');
    const refused = await fetch(`${t.url}/realtime/v1/api/broadcast`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    const malformed = await fetch(`${t.url}/realtime/v1/api/broadcast`, { method: 'POST', headers: { apikey: t.view.anonKey }, body: '{"messages":' });
    expect(malformed.status).toBe(400);
    await client.removeAllChannels();
  });

  it('refuses a bad key at the handshake and an unknown protocol version', async () => {
    const status = (url: string, headers: Record<string, string> = {}) => new Promise<number>((resolve) => {
      const socket = new WebSocket(url, { headers });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => {});
    });
    expect(await status(wsUrl('vsn=2.0.0'))).toBe(401);
    expect(await status(wsUrl(`apikey=${t.view.anonKey}x&vsn=2.0.0`))).toBe(401);
    expect(await status(wsUrl(`apikey=${t.view.anonKey}&vsn=9.9.9`))).toBe(400);
    expect(await status(wsUrl(`apikey=${t.view.anonKey}&vsn=2.0.0`))).toBe(101);
    // The host form, as the router forwards <app>--api.<domain> upgrades to the API port.
    const hostForm = `${t.base.replace('http', 'ws')}/realtime/v1/websocket?apikey=${t.view.anonKey}&vsn=2.0.0`;
    expect(await status(hostForm, { host: 'chat--api.localhost' })).toBe(101);
    expect(await status(hostForm, { host: 'nope--api.localhost' })).toBe(404);
  });

  it('answers malformed frames with errors and stays up; an oversized frame closes only its connection', async () => {
    const raw = await rawSocket(wsUrl(`apikey=${t.view.anonKey}&vsn=2.0.0`));
    raw.socket.send('not json');
    raw.socket.send('{"topic":"x"}');
    raw.socket.send(Buffer.from([9, 9, 9]));
    raw.socket.send(JSON.stringify([null, '7', 'realtime:nowhere', 'broadcast', { event: 'x' }]));
    raw.socket.send(JSON.stringify([null, '8', 'phoenix', 'heartbeat', {}]));
    await waitUntil(() => raw.received.length === 5, 'five answers');
    const answers = raw.received.map((r) => JSON.parse(r));
    expect(answers.slice(0, 3).map((a) => a[3])).toEqual(['phx_error', 'phx_error', 'phx_error']);
    expect(answers[0][4].reason).toMatch(/not JSON/);
    expect(answers[3]).toEqual([null, '7', 'realtime:nowhere', 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } }]);
    expect(answers[4]).toEqual([null, '8', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
    raw.socket.send(Buffer.alloc(2 * 1024 * 1024, 1));
    expect(await raw.closed).toBe(1009);
    const again = await rawSocket(wsUrl(`apikey=${t.view.anonKey}&vsn=1.0.0`));
    again.socket.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1' }));
    await waitUntil(() => again.received.length === 1, 'a heartbeat reply on a new connection');
    expect(JSON.parse(again.received[0]!)).toMatchObject({ topic: 'phoenix', event: 'phx_reply', ref: '1', payload: { status: 'ok' } });
    again.socket.close();
  });

  it('refuses a join with a bad access_token, and closes a channel whose token expires', async () => {
    const forged = await t.client({ token: `${await t.userToken('11111111-1111-1111-1111-111111111111')}x` });
    const error = await new Promise<string>((resolve) => {
      forged.channel('secret').subscribe((status, err) => status === 'CHANNEL_ERROR' && resolve(String(err?.message)));
    });
    expect(error).toMatch(/Invalid token/);
    await forged.removeAllChannels();

    const shortLived = await t.client({ token: await t.userToken('11111111-1111-1111-1111-111111111111', 2) });
    const system: any[] = [];
    const statuses: string[] = [];
    const channel = shortLived.channel('expiring').on('system', {}, (m) => system.push(m));
    channel.subscribe((status) => statuses.push(status));
    await waitUntil(() => statuses.includes('SUBSCRIBED'), 'the join');
    await waitUntil(() => statuses.includes('CLOSED'), 'the channel to close when its token expires', 15_000);
    expect(system).toContainEqual(expect.objectContaining({ status: 'error', message: 'Token has expired' }));
    await shortLived.removeAllChannels();
  });

  it('takes a refreshed access_token on a joined channel', async () => {
    const user = '22222222-2222-2222-2222-222222222222';
    const client = await t.client({ user });
    const channel = await subscribed(client.channel('refresh'));
    const statuses: string[] = [];
    channel.subscribe((s) => statuses.push(s));
    await client.realtime.setAuth(await t.userToken(user, 7200));
    await client.realtime.setAuth('not-a-token');
    await waitUntil(() => channel.state === 'closed', 'the channel to close on an invalid token');
    await client.removeAllChannels();
  });

  it('authorises private channels by RLS on realtime.messages: read to join, write to send', async () => {
    const [alice, bob] = ['aaaaaaaa-0000-0000-0000-000000000001', 'bbbbbbbb-0000-0000-0000-000000000002'];
    await t.appSql.unsafe(`
      CREATE POLICY read_own_room ON realtime.messages FOR SELECT TO authenticated
        USING (realtime.topic() = 'private-' || auth.uid()::text);
      CREATE POLICY send_in_own_room ON realtime.messages FOR INSERT TO authenticated
        WITH CHECK (realtime.topic() = 'private-' || auth.uid()::text AND extension = 'broadcast')`);
    const room = `private-${alice}`;
    const join = async (client: SupabaseClient) => new Promise<string>((resolve) => {
      client.channel(room, { config: { private: true, broadcast: { ack: true, self: true } } }).subscribe((status, err) => {
        if (status === 'SUBSCRIBED') resolve(status);
        else if (status === 'CHANNEL_ERROR') resolve(String(err?.message));
      });
    });
    const aliceClient = await t.client({ user: alice });
    expect(await join(aliceClient)).toBe('SUBSCRIBED');
    expect(await join(await t.client({ user: bob }))).toMatch(/Unauthorized/);
    expect(await join(await t.client())).toMatch(/Unauthorized/);
    const channel = aliceClient.getChannels()[0]!;
    const got: unknown[] = [];
    channel.on('broadcast', { event: 'note' }, (m) => got.push(m));
    expect(await channel.send({ type: 'broadcast', event: 'note', payload: { n: 1 } })).toBe('ok');
    await waitUntil(() => got.length === 1, 'her own private broadcast');
    expect(await channel.track({ here: true })).toBe('error');
    const post = async (token: string) => (await fetch(`${t.url}/realtime/v1/api/broadcast`, {
      method: 'POST', headers: { apikey: t.view.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: room, event: 'note', payload: { n: 2 }, private: true }] }),
    })).status;
    expect(await post(await t.userToken(bob))).toBe(401);
    expect(await post(await t.userToken(alice))).toBe(202);
    await waitUntil(() => got.length === 2, 'the HTTP private broadcast');
    expect(await t.appSql`SELECT count(*)::int AS n FROM realtime.messages`).toEqual([{ n: 0 }]);
  });

  it('lists channels with their subscriber counts', async () => {
    const clients: SupabaseClient[] = [await t.client(), await t.client()];
    for (const c of clients) await subscribed(c.channel('counted'));
    expect(t.realtime.channels('chat')).toContainEqual({ topic: 'counted', subscribers: 2 });
    // The studio's view of them (GET /apps/{app}/realtime/channels): topics in order, with counts.
    await subscribed(clients[0]!.channel('another'));
    const listed = await t.operations.realtimeChannels(parseAppName('chat'));
    expect(listed.filter((c) => c.topic === 'another' || c.topic === 'counted')).toEqual([{ topic: 'another', subscribers: 1 }, { topic: 'counted', subscribers: 2 }]);
    await expect(t.operations.realtimeChannels(parseAppName('nope'))).rejects.toThrow('nope');
    for (const c of clients) await c.removeAllChannels();
    await waitUntil(() => !t.realtime.channels('chat').some((c) => c.topic === 'counted'), 'the channel to empty');
  });
});
