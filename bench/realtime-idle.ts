/**
 * Idle realtime sockets (issue 17: "10,000 idle WebSocket connections: refused or handled with a
 * message, server up"). The real gateway and Realtime service run in this process on an embedded
 * PostgreSQL (backend/realtime/test-backend.ts); N clients in a child process open sockets
 * (protocol 2.0.0, the anon key), each joins one of 100 broadcast/presence channels and then
 * only heartbeats every 25 s, as supabase-js does when nothing happens. Reported: this process's
 * resident memory and V8 heap before and with the N sockets, per socket, and whether a new client
 * still joins. The peer, in the same run: a bare `ws` server in a process of its own holding the
 * same N sockets from the same kind of client (the cost of the WebSocket alone).
 *
 * Each side needs N file descriptors and a few hundred more; the bench says so when `ulimit -n`
 * is lower (raise it in the shell that starts the bench: `ulimit -n 65536` as root).
 * Usage: node --import tsx bench/realtime-idle.ts [sockets=10000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { startControlDatabase } from './lib/control-database.js';
import { startRealtimeBackend } from '../backend/realtime/test-backend.js';

const SOCKETS = Number(process.argv[2] ?? 10_000);
const ROOT = path.resolve(import.meta.dirname, '..');

/** The client side: opens `n` sockets to `url`, joins each (unless `join` is off), prints progress, then heartbeats. */
const CLIENT = `
import WebSocket from 'ws';
const [url, n, join] = [process.argv[1], Number(process.argv[2]), process.argv[3] === 'join'];
const sockets = [];
let refused = 0;
// Heartbeats from the start: opening thousands takes minutes, and the server closes sockets silent for 60 s.
let ref = 0;
setInterval(() => { for (const s of sockets) if (s.readyState === 1) s.send(JSON.stringify([null, String(ref++), 'phoenix', 'heartbeat', {}])); }, 25_000);
const open = (i) => new Promise((resolve) => {
  const socket = new WebSocket(url);
  socket.once('error', (e) => { refused += 1; resolve(); });
  socket.once('open', () => {
    sockets.push(socket);
    if (!join) return resolve();
    socket.on('message', function first(data) {
      const m = JSON.parse(String(data));
      if (m[3] === 'phx_reply' && m[1] === 'j') { socket.off('message', first); resolve(); }
    });
    socket.send(JSON.stringify(['j', 'j', 'realtime:idle-' + (i % 100), 'phx_join', { config: { broadcast: { self: false }, presence: { key: '' } } }]));
  });
});
for (let i = 0; i < n; i += 200) {
  await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, k) => open(i + k)));
}
console.log(JSON.stringify({ open: sockets.filter((s) => s.readyState === 1).length, refused, closed: sockets.filter((s) => s.readyState > 1).length }));
`;

/** A bare ws server in a process of its own: prints its port, then its memory when asked. */
const BARE_SERVER = `
import { WebSocketServer } from 'ws';
const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
server.on('connection', (socket) => socket.on('message', () => {}));
const mb = () => Math.round(process.memoryUsage().rss / 1024 / 102.4) / 10;
server.on('listening', () => console.log(JSON.stringify({ port: server.address().port, rssMb: mb() })));
process.stdin.on('data', () => console.log(JSON.stringify({ rssMb: mb(), heapMb: Math.round(process.memoryUsage().heapUsed / 1024 / 102.4) / 10, clients: server.clients.size })));
`;

function node(script: string, args: string[]): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function nextJson<T>(lines: AsyncIterator<string>): Promise<T> {
  const { value } = await lines.next();
  return JSON.parse(String(value)) as T;
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const limit = Number((await new Promise<string>((resolve) => {
  const sh = spawn('sh', ['-c', 'ulimit -n'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  sh.stdout.on('data', (d) => (out += String(d)));
  sh.on('close', () => resolve(out.trim()));
})));
if (Number.isFinite(limit) && limit < SOCKETS + 500) {
  console.error(`ulimit -n is ${limit}: ${SOCKETS} sockets need at least ${SOCKETS + 500} per process; raise it (\`ulimit -n 65536\`) and run again`);
  process.exit(2);
}

const control = await startControlDatabase('realtime-idle');
const sql = control.sql;
const t = await startRealtimeBackend({ sql, url: control.url, drop: async () => { await sql.end(); } });
const wsUrl = `${t.base.replace('http', 'ws')}/backend/chat/realtime/v1/websocket?apikey=${t.view.anonKey}&vsn=2.0.0`;

// One client first, so modules, the project and its pools are loaded before the baseline.
const warm = node(CLIENT, [wsUrl, '10', 'join']);
await nextJson(warm.lines);
warm.child.kill();
await new Promise((r) => setTimeout(r, 2000));
const before = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };

console.log(`opening ${SOCKETS} sockets to DevFlow's realtime`);
const started = performance.now();
const clients = node(CLIENT, [wsUrl, String(SOCKETS), 'join']);
const opened = await nextJson<{ open: number; refused: number }>(clients.lines);
const openSeconds = (performance.now() - started) / 1000;
await new Promise((r) => setTimeout(r, 3000));
const withSockets = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
const channels = t.realtime.channels('chat');

// Still serving: one more client joins and gets its reply.
const probe = new WebSocket(wsUrl);
const stillUp = await new Promise<string>((resolve) => {
  probe.once('error', (e) => resolve(`no: ${e.message}`));
  probe.once('open', () => {
    probe.once('message', (data) => resolve(String(data).includes('"ok"') ? 'yes' : `answered ${String(data).slice(0, 80)}`));
    probe.send(JSON.stringify(['p', 'p', 'realtime:probe', 'phx_join', { config: {} }]));
  });
});
probe.close();

console.log(`opening ${SOCKETS} sockets to a bare ws server (the peer)`);
const bare = node(BARE_SERVER, []);
const bareStart = await nextJson<{ port: number; rssMb: number }>(bare.lines);
const bareClients = node(CLIENT, [`ws://127.0.0.1:${bareStart.port}`, String(SOCKETS), 'no-join']);
const bareOpened = await nextJson<{ open: number; refused: number }>(bareClients.lines);
await new Promise((r) => setTimeout(r, 3000));
bare.child.stdin!.write('?\n');
const bareEnd = await nextJson<{ rssMb: number; heapMb: number; clients: number }>(bare.lines);

const perSocketKb = (bytes: number, n: number) => ((bytes / n) / 1024).toFixed(1);
const lines = [
  `## Idle realtime sockets (bench/realtime-idle.ts ${SOCKETS}), ${new Date().toISOString().slice(0, 10)}`,
  '',
  `load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (${os.cpus().length} cores); ulimit -n ${limit}`,
  '',
  '| server | sockets open (refused) | RSS before → with sockets | per socket, RSS | V8 heap before → with | per socket, heap |',
  '| --- | --- | --- | --- | --- | --- |',
  `| DevFlow realtime (joined, ${channels.length} channels) | ${opened.open} (${opened.refused}) | ${mb(before.rss).toFixed(0)} → ${mb(withSockets.rss).toFixed(0)} MB | ${perSocketKb(withSockets.rss - before.rss, opened.open)} KB | ${mb(before.heap).toFixed(0)} → ${mb(withSockets.heap).toFixed(0)} MB | ${perSocketKb(withSockets.heap - before.heap, opened.open)} KB |`,
  `| peer: bare ws server | ${bareOpened.open} (${bareOpened.refused}) | ${bareStart.rssMb.toFixed(0)} → ${bareEnd.rssMb.toFixed(0)} MB | ${perSocketKb((bareEnd.rssMb - bareStart.rssMb) * 1024 * 1024, bareOpened.open)} KB | → ${bareEnd.heapMb.toFixed(0)} MB | |`,
  '',
  `opening and joining took ${openSeconds.toFixed(1)} s; a new client joined afterwards: ${stillUp}`,
];
console.log(lines.join('\n'));
await fs.mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await fs.writeFile(path.join(import.meta.dirname, 'results', 'realtime-idle.md'), `${lines.join('\n')}\n`);
for (const c of [clients.child, bareClients.child, bare.child]) c.kill();
await t.close();
await control.stop();
