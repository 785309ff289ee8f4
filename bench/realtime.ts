/**
 * Realtime (issue 17), on an embedded PostgreSQL with the real gateway and Realtime service
 * in this process (backend/realtime/test-backend.ts), clients as raw `ws` sockets speaking
 * protocol 2.0.0 (what supabase-js sends; raw so 1,000 of them cost the bench little):
 *
 * - change-to-delivery latency: N sockets subscribed to INSERTs of one table (anon, no RLS: one
 *   visibility check per change); per round one INSERT, timed from just before it is sent to each
 *   socket's receipt; p50/p99 over all deliveries, and of the last socket per round.
 * - its peer in the same run: an HTTP broadcast to the same N sockets on another topic, timed the
 *   same way (the cost of the socket fan-out alone, without replication and the RLS check).
 * - broadcast messages/s: one sender pushing M broadcasts as fast as the socket takes them to R
 *   receivers; deliveries per second at the receivers.
 * - its peer in the same run: a bare `ws` server in this process that relays each frame to every
 *   other socket (no channels, no protocol, no checks), with the same sender, receivers and frames:
 *   the floor of a WebSocket fan-out in Node.
 * Usage: node --import tsx bench/realtime.ts [subscribers=1000] [rounds=50] [messages=20000] [receivers=10]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { startControlDatabase } from './lib/control-database.js';
import { startRealtimeBackend } from '../backend/realtime/test-backend.js';

const arg = (i: number, fallback: number) => Number(process.argv[2 + i] ?? fallback);
const [SUBSCRIBERS, ROUNDS, MESSAGES, RECEIVERS] = [arg(0, 1000), arg(1, 50), arg(2, 20000), arg(3, 10)] as const;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Sub {
  socket: WebSocket;
  onMessage?: (text: string | Buffer) => void;
}

async function openSocket(url: string): Promise<Sub> {
  const socket = new WebSocket(url);
  const sub: Sub = { socket };
  socket.on('message', (data, isBinary) => sub.onMessage?.(isBinary ? (data as Buffer) : data.toString()));
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  return sub;
}

async function join(sub: Sub, topic: string, config: Record<string, unknown>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    sub.onMessage = (text) => {
      const m = JSON.parse(String(text)) as unknown[];
      if (m[3] !== 'phx_reply' || m[1] !== 'join') return;
      const payload = m[4] as { status: string; response: unknown };
      if (payload.status === 'ok') resolve();
      else reject(new Error(JSON.stringify(payload.response)));
    };
    sub.socket.send(JSON.stringify(['join', 'join', topic, 'phx_join', { config }]));
  });
}

const control = await startControlDatabase('realtime');
const sql = control.sql;
const t = await startRealtimeBackend({ sql, url: control.url, drop: async () => { await sql.end(); } });
await t.appSql.unsafe(`CREATE TABLE public.events (id bigserial PRIMARY KEY, round int);
  ALTER TABLE public.events OWNER TO "${t.owner}";
  GRANT ALL ON public.events TO anon;
  ALTER PUBLICATION supabase_realtime ADD TABLE public.events`);
const wsUrl = `${t.base.replace('http', 'ws')}/backend/chat/realtime/v1/websocket?apikey=${t.view.anonKey}&vsn=2.0.0`;

console.log(`opening ${SUBSCRIBERS} sockets`);
const subs: Sub[] = [];
for (let i = 0; i < SUBSCRIBERS; i += 1) subs.push(await openSocket(wsUrl));
for (const s of subs) {
  await join(s, 'realtime:changes', { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'events' }] });
  await join(s, 'realtime:fanout', {});
}

/** One round: `trigger` makes one event; resolves with each socket's delay from just before it. */
async function round(matches: (text: string | Buffer) => boolean, trigger: () => Promise<unknown>): Promise<number[]> {
  const delays: number[] = [];
  let started = 0;
  const done = new Promise<void>((resolve) => {
    for (const s of subs) {
      s.onMessage = (text) => {
        if (!matches(text)) return;
        delays.push(performance.now() - started);
        if (delays.length === subs.length) resolve();
      };
    }
  });
  started = performance.now();
  await trigger();
  await done;
  return delays;
}

const isChange = (text: string | Buffer) => typeof text === 'string' && text.includes('"postgres_changes"');
const isFanout = (text: string | Buffer) => Buffer.isBuffer(text);
const change: number[] = [];
const changeLast: number[] = [];
const fanout: number[] = [];
const fanoutLast: number[] = [];
for (let r = 0; r < ROUNDS; r += 1) {
  const c = await round(isChange, () => t.appSql`INSERT INTO public.events (round) VALUES (${r})`);
  change.push(...c);
  changeLast.push(Math.max(...c));
  const f = await round(isFanout, () => fetch(`${t.url}/realtime/v1/api/broadcast`, {
    method: 'POST', headers: { apikey: t.view.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ topic: 'fanout', event: 'tick', payload: { r } }] }),
  }).then((res) => res.arrayBuffer()));
  fanout.push(...f);
  fanoutLast.push(Math.max(...f));
}
for (const s of subs) s.socket.terminate();

// Broadcast throughput: one sender, RECEIVERS receivers, MESSAGES kind-3 binary pushes.
const receivers: Sub[] = [];
for (let i = 0; i < RECEIVERS; i += 1) {
  const r = await openSocket(wsUrl);
  await join(r, 'realtime:throughput', {});
  receivers.push(r);
}
const sender = await openSocket(wsUrl);
await join(sender, 'realtime:throughput', {});
let delivered = 0;
const all = new Promise<void>((resolve) => {
  for (const r of receivers) {
    r.onMessage = (data) => {
      if (Buffer.isBuffer(data) && ++delivered === MESSAGES * RECEIVERS) resolve();
    };
  }
});
const topic = Buffer.from('realtime:throughput');
const event = Buffer.from('move');
const frame = Buffer.concat([Buffer.from([3, 0, 0, topic.length, event.length, 0, 1]), topic, event, Buffer.from('{"x":1,"y":2}')]);
/** Sends MESSAGES frames from `from` as fast as its socket takes them; resolves when `arrived` does. */
async function pushAll(from: Sub, arrived: Promise<void>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < MESSAGES; i += 1) {
    from.socket.send(frame);
    if (from.socket.bufferedAmount > 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
  }
  await arrived;
  return (performance.now() - start) / 1000;
}
const seconds = await pushAll(sender, all);
for (const r of [...receivers, sender]) r.socket.terminate();

// The peer: a bare relay, same frames, same number of receivers.
const relay = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
await new Promise<void>((resolve) => relay.once('listening', () => resolve()));
relay.on('connection', (socket) => socket.on('message', (data, isBinary) => {
  for (const other of relay.clients) if (other !== socket) other.send(data, { binary: isBinary });
}));
const relayUrl = `ws://127.0.0.1:${(relay.address() as AddressInfo).port}`;
const peerReceivers: Sub[] = [];
for (let i = 0; i < RECEIVERS; i += 1) peerReceivers.push(await openSocket(relayUrl));
const peerSender = await openSocket(relayUrl);
let peerDelivered = 0;
const peerAll = new Promise<void>((resolve) => {
  for (const r of peerReceivers) {
    r.onMessage = (data) => {
      if (Buffer.isBuffer(data) && ++peerDelivered === MESSAGES * RECEIVERS) resolve();
    };
  }
});
const peerSeconds = await pushAll(peerSender, peerAll);
for (const r of [...peerReceivers, peerSender]) r.socket.terminate();
await new Promise<void>((resolve) => relay.close(() => resolve()));

const ms = (v: number) => `${v.toFixed(1)} ms`;
const lines = [
  `## Realtime (bench/realtime.ts), ${new Date().toISOString().slice(0, 10)}`,
  '',
  `load average before the run's end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (${os.cpus().length} cores)`,
  '',
  `| measure (${SUBSCRIBERS} subscribers, ${ROUNDS} rounds) | p50 | p99 | last socket p50 | last socket p99 |`,
  '| --- | --- | --- | --- | --- |',
  `| postgres_changes INSERT, commit request to delivery | ${ms(percentile(change, 50))} | ${ms(percentile(change, 99))} | ${ms(percentile(changeLast, 50))} | ${ms(percentile(changeLast, 99))} |`,
  `| peer: HTTP broadcast to the same sockets | ${ms(percentile(fanout, 50))} | ${ms(percentile(fanout, 99))} | ${ms(percentile(fanoutLast, 50))} | ${ms(percentile(fanoutLast, 99))} |`,
  '',
  `| broadcast, ${MESSAGES} messages from one socket to ${RECEIVERS} receivers | seconds | sent/s | delivered/s |`,
  '| --- | --- | --- | --- |',
  `| DevFlow Realtime (Phoenix 2.0.0 binary broadcast) | ${seconds.toFixed(2)} | ${Math.round(MESSAGES / seconds)} | ${Math.round((MESSAGES * RECEIVERS) / seconds)} |`,
  `| peer: bare \`ws\` relay, same frames | ${peerSeconds.toFixed(2)} | ${Math.round(MESSAGES / peerSeconds)} | ${Math.round((MESSAGES * RECEIVERS) / peerSeconds)} |`,
];
console.log(lines.join('\n'));
await fs.mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await fs.writeFile(path.join(import.meta.dirname, 'results', 'realtime.md'), `${lines.join('\n')}\n`);
await t.close();
await control.stop();
