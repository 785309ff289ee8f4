/**
 * Storage throughput (issue 17): one object uploaded (PUT, raw body streamed from a file) and
 * downloaded (GET, body consumed) through /storage/v1, each beside its disk peer in the same
 * round: the upload beside a stream copy of the source file, the download beside a stream read of
 * the very file the object was stored in (same page-cache state). Beside MB/s (which moves with
 * whatever else the two cores run) it reports CPU seconds per GB: the server's for HTTP, the
 * bench process's own for the disk peers. The storage service runs behind its stand-in
 * gateway in a child process (backend/storage/test-server-child.ts) on an embedded PostgreSQL,
 * with its bytes on the same disk; the client is node:http streaming from and to the file system.
 *
 * Memory (issue 17: "a 1 GB upload and download keep DevFlow's memory growth under 50 MB"): each
 * transfer also reports the server's peak resident memory above what it held before (Linux
 * VmHWM, restarted with clear_refs), beside the same figure for a plain Node stream copy of the
 * source file in a process of its own. `node --import tsx bench/storage.ts 1024 1` is the 1 GB check.
 * Usage: node --import tsx bench/storage.ts [megabytes=256] [rounds=3]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { connect } from '../core/store/database.js';
import { startEmbeddedPostgres } from '../core/embedded-postgres/embedded.js';
import { newProjectKeys } from '../backend/keys.js';
import { clusterRolesSql, grantRequestRolesSql, projectDatabaseSql } from '../backend/provision-sql.js';
import { storageSchemaSql } from '../backend/storage/index.js';
import { cpuTime } from './router/cpu.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const MB = Number(process.argv[2] ?? 256);
const ROUNDS = Number(process.argv[3] ?? 3);
const REF = 'bench_storage';

async function writeSourceFile(file: string): Promise<void> {
  const block = randomBytes(1024 * 1024);
  const out = createWriteStream(file);
  for (let i = 0; i < MB; i++) {
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** A project database with the backend's roles and the storage schema, owned by a login role. */
async function provision(serverUrl: string): Promise<{ ownerUrl: string }> {
  const admin = connect(serverUrl, 1);
  for (const statement of clusterRolesSql()) await admin.unsafe(statement);
  await admin.unsafe(`CREATE ROLE ${REF} LOGIN PASSWORD 'bench'`);
  await admin.unsafe(`CREATE DATABASE ${REF} OWNER ${REF}`);
  await admin.unsafe(grantRequestRolesSql(REF));
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${REF}`;
  const db = connect(url.toString(), 1);
  for (const statement of [...projectDatabaseSql(REF), ...storageSchemaSql(REF)]) await db.unsafe(statement);
  await db.unsafe(`INSERT INTO storage.buckets (id, name) VALUES ('bench', 'bench')`);
  await db.end();
  url.username = REF;
  url.password = 'bench';
  return { ownerUrl: url.toString() };
}

async function startServer(ownerUrl: string, root: string, keys: Awaited<ReturnType<typeof newProjectKeys>>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'backend/storage/test-server-child.ts')], {
    env: { ...process.env, STORAGE_TEST_PROJECT: JSON.stringify({ ref: REF, ownerUrl, keys, root }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await Promise.all([new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r))]);
  return { url: new URL((JSON.parse(line) as { url: string }).url), pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

function transfer(url: URL, key: string, method: 'PUT' | 'GET', file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (method === 'PUT') Object.assign(headers, { 'content-type': 'application/octet-stream', 'content-length': String(MB * 2 ** 20) });
    const req = http.request({ host: url.hostname, port: url.port, method, path: '/storage/v1/object/bench/big.bin', headers }, (res) => {
      if (res.statusCode !== 200) res.once('data', (d) => reject(new Error(`${method} answered ${res.statusCode}: ${String(d).slice(0, 300)}`)));
      res.on('data', () => {});
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    if (method === 'PUT') void pipeline(createReadStream(file), req).catch(reject);
    else req.end();
  });
}

interface Measure {
  mbPerSecond: number;
  cpuSecondsPerGb: number;
  /** Peak resident memory above the start, in MB, where measured. */
  growthMb?: number;
}

/** VmRSS and VmHWM of a process, in MB. */
async function residentMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Runs `run` and reports how far the server's resident memory peaked above where it began. */
async function withGrowth(pid: number, run: () => Promise<Measure>): Promise<Measure> {
  await fs.writeFile(`/proc/${pid}/clear_refs`, '5');
  const before = await residentMb(pid);
  const measured = await run();
  return { ...measured, growthMb: (await residentMb(pid)).peak - before.rss };
}

/** The peer: a stream copy in a Node process of its own, which reports its own peak growth. */
async function copyInChild(from: string, to: string): Promise<Measure> {
  const script = `
    const fs = require('node:fs'); const { pipeline } = require('node:stream/promises');
    const mb = (name) => Number(new RegExp('^' + name + ':\\\\s+(\\\\d+) kB', 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const before = mb('VmRSS');
    pipeline(fs.createReadStream(process.argv[1]), fs.createWriteStream(process.argv[2])).then(() => console.log(mb('VmHWM') - before));`;
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', script, from, to], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.all([new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r))]);
  const seconds = (performance.now() - start) / 1000;
  return { mbPerSecond: MB / seconds, cpuSecondsPerGb: NaN, growthMb: Number(line) };
}

/** Times `run` and the CPU the measured process spent meanwhile (a pid, or this process). */
async function measure(run: () => Promise<void>, pid?: number): Promise<Measure> {
  const cpu = () => {
    if (pid === undefined) {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    }
    const t = cpuTime(pid);
    return t.userSeconds + t.systemSeconds;
  };
  const cpuBefore = cpu();
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  return { mbPerSecond: MB / seconds, cpuSecondsPerGb: ((cpu() - cpuBefore) * 1024) / MB };
}

/** The newest object file in the store: the version the last upload wrote. */
async function newestObjectFile(objectsDir: string): Promise<string> {
  const entries = await fs.readdir(objectsDir, { recursive: true, withFileTypes: true });
  const files = await Promise.all(entries.filter((e) => e.isFile()).map(async (e) => {
    const file = path.join(e.parentPath, e.name);
    return { file, mtime: (await fs.stat(file)).mtimeMs };
  }));
  return files.sort((a, b) => b.mtime - a.mtime)[0]!.file;
}

async function readWhole(file: string): Promise<void> {
  for await (const _chunk of createReadStream(file)) { /* consumed, as the download's client does */ }
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-storage-'));
  await fs.chmod(dir, 0o755);
  const cluster = await startEmbeddedPostgres(path.join(dir, 'pg'), () => {});
  const server = { stop: () => {} } as { stop: () => void };
  try {
    const source = path.join(dir, 'source.bin');
    await writeSourceFile(source);
    const { ownerUrl } = await provision(cluster.url);
    const keys = await newProjectKeys(REF);
    const started = await startServer(ownerUrl, path.join(dir, 'objects'), keys);
    server.stop = started.stop;
    const rows: Record<string, Measure[]> = {
      'disk: stream copy of the source file': [], 'upload: PUT /storage/v1/object (server)': [],
      'disk: stream read of the stored file': [], 'download: GET /storage/v1/object (server)': [],
      'disk: stream copy in a Node process of its own (memory peer)': [],
    };
    const objectsDir = path.join(dir, 'objects', REF, 'objects');
    for (let round = 0; round < ROUNDS; round++) {
      rows['disk: stream copy of the source file']!.push(await measure(() => pipeline(createReadStream(source), createWriteStream(path.join(dir, 'copy.bin')))));
      rows['upload: PUT /storage/v1/object (server)']!.push(await withGrowth(started.pid, () => measure(() => transfer(started.url, keys.serviceRoleKey, 'PUT', source), started.pid)));
      const stored = await newestObjectFile(objectsDir);
      rows['disk: stream read of the stored file']!.push(await measure(() => readWhole(stored)));
      rows['download: GET /storage/v1/object (server)']!.push(await withGrowth(started.pid, () => measure(() => transfer(started.url, keys.serviceRoleKey, 'GET', source), started.pid)));
      rows['disk: stream copy in a Node process of its own (memory peer)']!.push(await copyInChild(source, path.join(dir, 'copy.bin')));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const lines = [
      `Storage throughput, ${MB} MB object, ${ROUNDS} rounds, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}, ${new Date().toISOString()}`,
      '',
      '| path | median MB/s | runs MB/s | median CPU s/GB | peak RSS growth, MB (runs) |',
      '| --- | --- | --- | --- | --- |',
      ...Object.entries(rows).map(([name, ms]) => `| ${name} | ${median(ms.map((m) => m.mbPerSecond)).toFixed(0)} | ${
        ms.map((m) => m.mbPerSecond.toFixed(0)).join(', ')} | ${ms.every((m) => Number.isNaN(m.cpuSecondsPerGb)) ? '—' : median(ms.map((m) => m.cpuSecondsPerGb)).toFixed(2)} | ${
        ms.some((m) => m.growthMb !== undefined) ? ms.map((m) => m.growthMb!.toFixed(1)).join(', ') : ''} |`),
    ];
    console.log(lines.join('\n'));
    await fs.mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await fs.writeFile(path.join(ROOT, 'bench/results/storage.md'), `${lines.join('\n')}\n`);
  } finally {
    server.stop();
    await cluster.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
