/**
 * The app backend's memory (issue 16, "Measure"): DevFlow's RSS, and the PostgreSQL processes'
 * beside it, with 1, 10 and 50 projects whose backend is enabled, at three moments each:
 * enabled and never requested (nothing loaded: the lazy case), right after one REST request
 * that reads the database (schema cache) and one Auth request to every project (pools, keys and
 * schema caches loaded), and after the pools' idle timeout (60 s) has closed their connections.
 *
 * With `--all-services` (issue 17, "memory per idle project with all services on"), each
 * project also gets one Storage request (its buckets), one Realtime session (a WebSocket that
 * joins a channel, then closes) and one Functions request (a function it lacks), so every
 * service of every project is loaded before the readings.
 *
 *   node --import tsx bench/backend.ts [--all-services] [--max 10]
 */
import fs from 'node:fs/promises';
import WebSocket from 'ws';
import { commandOf, machine, numberFlag, processTree, rssMb, sleep, startDevflow, stopAndClean, writeResult, type BenchDevflow } from './lib/devflow.js';

const MAX = numberFlag('--max', 50);
const SIZES = [1, 10, 50].filter((n) => n <= MAX);
const ALL_SERVICES = process.argv.includes('--all-services');

async function api(devflow: BenchDevflow, method: string, route: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${devflow.port}/api/v1${route}`, {
    method, headers: { authorization: `Bearer ${devflow.token}` },
  });
  if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function createApp(devflow: BenchDevflow, name: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${devflow.port}/api/v1/apps`, {
    method: 'POST', headers: { authorization: `Bearer ${devflow.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`create ${name}: HTTP ${res.status}`);
}

/** Proportional set size: shared pages split among the processes that map them. */
async function pssMb(pid: number): Promise<number> {
  const rollup = await fs.readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  return Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024;
}

/**
 * DevFlow's own RSS, and PostgreSQL's processes: their count and summed PSS (summed RSS would
 * count the shared buffers once per process).
 */
async function measure(devflow: BenchDevflow): Promise<{ devflow: number; postgres: number; processes: number }> {
  const pids = await processTree(devflow.child.pid!);
  let postgres = 0;
  let processes = 0;
  for (const pid of pids) {
    if (!(await commandOf(pid)).includes('postgres')) continue;
    postgres += await pssMb(pid);
    processes++;
  }
  return { devflow: await rssMb(devflow.child.pid!), postgres, processes };
}

async function touch(devflow: BenchDevflow, app: string, anonKey: string): Promise<void> {
  // A table the project lacks: the REST service loads its schema cache from the database first
  // (404 PGRST205 after), so the request opens the project's pool. Auth's settings load Auth.
  for (const [path, status] of [['/rest/v1/nothing_here?select=*', 404], ['/auth/v1/settings', 200]] as const) {
    const res = await fetch(`http://127.0.0.1:${devflow.port}/backend/${app}${path}`, { headers: { apikey: anonKey } });
    await res.arrayBuffer();
    if (res.status !== status) throw new Error(`${app}${path}: HTTP ${res.status}, expected ${status}`);
  }
  if (!ALL_SERVICES) return;
  for (const [path, status] of [['/storage/v1/bucket', 200], ['/functions/v1/not-deployed', 404]] as const) {
    const res = await fetch(`http://127.0.0.1:${devflow.port}/backend/${app}${path}`, { headers: { apikey: anonKey, authorization: `Bearer ${anonKey}` } });
    await res.arrayBuffer();
    if (res.status !== status) throw new Error(`${app}${path}: HTTP ${res.status}, expected ${status}`);
  }
  await joinAndLeave(devflow, app, anonKey);
}

/** One Realtime session as realtime-js opens it (protocol 1.0.0): join a channel, then close. */
function joinAndLeave(devflow: BenchDevflow, app: string, anonKey: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${devflow.port}/backend/${app}/realtime/v1/websocket?apikey=${anonKey}&vsn=1.0.0`);
    socket.on('open', () => socket.send(JSON.stringify({
      topic: 'realtime:room', event: 'phx_join', ref: '1', join_ref: '1',
      payload: { config: { broadcast: { self: false }, presence: { key: '' }, postgres_changes: [] }, access_token: anonKey },
    })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { event: string; payload: { status?: string } };
      if (message.event !== 'phx_reply') return;
      socket.close();
      if (message.payload.status === 'ok') resolve();
      else reject(new Error(`${app} realtime join: ${String(data)}`));
    });
    socket.on('error', reject);
  });
}

const devflow = await startDevflow('process');
const rows: string[] = [];
const row = (projects: number, moment: string, m: { devflow: number; postgres: number; processes: number }) =>
  rows.push(`| ${projects} | ${moment} | ${m.devflow.toFixed(0)} | ${m.processes} | ${m.postgres.toFixed(0)} |`);
try {
  await sleep(3000);
  row(0, 'no backend enabled', await measure(devflow));
  const keys = new Map<string, string>();
  for (const size of SIZES) {
    for (let i = keys.size; i < size; i++) {
      const name = `p${i}`;
      await createApp(devflow, name);
      keys.set(name, ((await api(devflow, 'POST', `/apps/${name}/backend`)) as { anonKey: string }).anonKey);
    }
    await sleep(2000);
    row(size, 'enabled, never requested', await measure(devflow));
    for (const [name, anonKey] of keys) await touch(devflow, name, anonKey);
    row(size, ALL_SERVICES ? 'after one request to each service (REST, Auth, Storage, Realtime, Functions)' : 'after one REST and one Auth request each', await measure(devflow));
    await sleep(65_000);
    row(size, 'idle 65 s (pool connections closed)', await measure(devflow));
  }
} finally {
  await stopAndClean(devflow);
}

const first = Number(rows[0]!.split('|')[3]);
await writeResult('backend', [
  `## App backend: memory per project${ALL_SERVICES ? ', all services on' : ''}`,
  '',
  `Machine: ${machine()}. Other work shares the machine, so figures are noisy; each row is one reading of the same DevFlow, grown from 0 to 50 projects.`,
  '',
  '| projects | moment | DevFlow RSS (MB) | PostgreSQL processes | PostgreSQL PSS, summed (MB) |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
  '',
  `Baseline DevFlow RSS ${first} MB with no backend enabled.`,
].join('\n'));
