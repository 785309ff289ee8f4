/**
 * The app backend's memory (issue 16, "Measure"): DevFlow's RSS, and the PostgreSQL processes'
 * beside it, with 1, 10 and 50 projects whose backend is enabled, at three moments each:
 * enabled and never requested (nothing loaded: the lazy case), right after one REST and one
 * Auth request to every project (pools, keys and schema caches loaded), and after the pools'
 * idle timeout (60 s) has closed their connections.
 *
 *   node --import tsx bench/backend.ts
 */
import { commandOf, machine, processTree, rssMb, sleep, startDevflow, stopAndClean, writeResult, type BenchDevflow } from './lib/devflow.js';

const SIZES = [1, 10, 50];

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

/** DevFlow's own RSS, and the sum over its PostgreSQL server processes. */
async function measure(devflow: BenchDevflow): Promise<{ devflow: number; postgres: number }> {
  const pids = await processTree(devflow.child.pid!);
  let postgres = 0;
  for (const pid of pids) if ((await commandOf(pid)).includes('postgres')) postgres += await rssMb(pid);
  return { devflow: await rssMb(devflow.child.pid!), postgres };
}

async function touch(devflow: BenchDevflow, app: string, anonKey: string): Promise<void> {
  for (const path of ['/rest/v1/', '/auth/v1/settings']) {
    const res = await fetch(`http://127.0.0.1:${devflow.port}/backend/${app}${path}`, { headers: { apikey: anonKey } });
    await res.arrayBuffer();
    if (res.status >= 500) throw new Error(`${app}${path}: HTTP ${res.status}`);
  }
}

const devflow = await startDevflow('process');
const rows: string[] = [];
const row = (projects: number, moment: string, m: { devflow: number; postgres: number }) =>
  rows.push(`| ${projects} | ${moment} | ${m.devflow.toFixed(0)} | ${m.postgres.toFixed(0)} |`);
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
    row(size, 'after one REST and one Auth request each', await measure(devflow));
    await sleep(65_000);
    row(size, 'idle 65 s (pool connections closed)', await measure(devflow));
  }
} finally {
  await stopAndClean(devflow);
}

const first = Number(rows[0]!.split('|')[3]);
await writeResult('backend', [
  '## App backend: memory per project',
  '',
  `Machine: ${machine()}. Other work shares the machine, so figures are noisy; each row is one reading of the same DevFlow, grown from 0 to 50 projects.`,
  '',
  '| projects | moment | DevFlow RSS (MB) | PostgreSQL RSS, all its processes (MB) |',
  '| --- | --- | --- | --- |',
  ...rows,
  '',
  `Baseline DevFlow RSS ${first} MB with no backend enabled.`,
].join('\n'));
