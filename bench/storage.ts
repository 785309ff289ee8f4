/**
 * Storage throughput (issue 17): one object uploaded (PUT, raw body streamed from a file) and
 * downloaded (GET, body consumed) through /storage/v1, beside the same bytes read from disk and
 * copied on disk with streams in the same run. The storage service runs behind its stand-in
 * gateway in a child process (backend/storage/test-server-child.ts) on an embedded PostgreSQL,
 * with its bytes on the same disk; the client is node:http streaming from and to the file system.
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
import { startEmbeddedPostgres } from '../core/store/embedded.js';
import { newProjectKeys } from '../backend/keys.js';
import { clusterRolesSql, grantRequestRolesSql, projectDatabaseSql } from '../backend/provision-sql.js';
import { storageSchemaSql } from '../backend/storage/index.js';

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
    env: { ...process.env, DEVFLOW_STORAGE_TEST_PROJECT: JSON.stringify({ ref: REF, ownerUrl, keys, root }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await Promise.all([new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r))]);
  return { url: new URL((JSON.parse(line) as { url: string }).url), stop: () => child.kill('SIGTERM') };
}

function transfer(url: URL, key: string, method: 'PUT' | 'GET', file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (method === 'PUT') Object.assign(headers, { 'content-type': 'application/octet-stream', 'content-length': String(MB * 2 ** 20) });
    const req = http.request({ host: url.hostname, port: url.port, method, path: '/storage/v1/object/bench/big.bin', headers }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${method} answered ${res.statusCode}`));
      res.on('data', () => {});
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    if (method === 'PUT') void pipeline(createReadStream(file), req).catch(reject);
    else req.end();
  });
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return (MB / (performance.now() - start)) * 1000;
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
    const rows: Record<string, number[]> = { 'disk read (stream)': [], 'disk copy (stream)': [], 'upload PUT /storage/v1': [], 'download GET /storage/v1': [] };
    for (let round = 0; round < ROUNDS; round++) {
      rows['disk read (stream)']!.push(await timed(async () => {
        for await (const _chunk of createReadStream(source)) { /* consumed, as the download's client does */ }
      }));
      rows['disk copy (stream)']!.push(await timed(() => pipeline(createReadStream(source), createWriteStream(path.join(dir, 'copy.bin')))));
      rows['upload PUT /storage/v1']!.push(await timed(() => transfer(started.url, keys.serviceRoleKey, 'PUT', source)));
      rows['download GET /storage/v1']!.push(await timed(() => transfer(started.url, keys.serviceRoleKey, 'GET', source)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const lines = [
      `Storage throughput, ${MB} MB object, ${ROUNDS} rounds (MB/s, median and all runs), ${os.cpus().length} cores, ${new Date().toISOString()}`,
      '',
      '| path | median MB/s | runs |',
      '| --- | --- | --- |',
      ...Object.entries(rows).map(([name, xs]) => `| ${name} | ${median(xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(', ')} |`),
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
