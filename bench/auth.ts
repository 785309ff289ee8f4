/**
 * Token sign-in rate of the Supabase Auth API (issue 16): `POST /auth/v1/token?grant_type=password`
 * over HTTP keep-alive at a few concurrencies, beside its peers measured in the same run: bcrypt
 * alone (cost 10, the hash check every password sign-in makes) on the main thread and in the
 * service's worker pool, and the refresh-token grant (the same session issuing, no bcrypt). Runs on its own embedded PostgreSQL
 * with one provisioned project and the service behind the local gateway (backend/auth/local-gateway.ts).
 * Usage: node --import tsx bench/auth.ts [seconds-per-row=8]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { connect } from '../core/store/database.js';
import { startEmbeddedPostgres } from '../core/embedded-postgres/embedded.js';
import { authSchemaSql } from '../backend/auth/index.js';
import { BcryptPool } from '../backend/auth/bcrypt-pool.js';
import { serveAuth } from '../backend/auth/local-gateway.js';
import { BCRYPT_COST, hashPassword } from '../backend/auth/passwords.js';
import type { BackendProject } from '../backend/contract.js';
import { newProjectKeys } from '../backend/keys.js';
import { clusterRolesSql, grantRequestRolesSql, projectDatabaseSql } from '../backend/provision-sql.js';

const SECONDS = Number(process.argv[2] ?? 8);
const USERS = 32;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, apikey: string, body: unknown): Promise<{ status: number; body: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { apikey, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Row { name: string; concurrency: number; rate: number; p50: number; p99: number; failures: number }

/** Closed loop: `concurrency` workers, each sending its next request when the last answered. */
async function closedLoop(name: string, concurrency: number, send: (worker: number, i: number) => Promise<boolean>): Promise<Row> {
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = 0; performance.now() < end; i++) {
      const start = performance.now();
      if (!(await send(worker, i))) failures++;
      latencies.push(performance.now() - start);
    }
  }));
  latencies.sort((x, y) => x - y);
  return { name, concurrency, rate: latencies.length / SECONDS, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

async function provision(serverUrl: string): Promise<{ project: BackendProject; close(): Promise<void> }> {
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const server = connect(serverUrl, 1);
  for (const s of clusterRolesSql()) await server.unsafe(s);
  const password = randomBytes(12).toString('hex');
  await server.unsafe(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  await server.unsafe(`CREATE DATABASE ${name} OWNER ${name}`);
  await server.unsafe(grantRequestRolesSql(name));
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${name}`;
  const admin = connect(dbUrl.toString(), 1);
  for (const s of [...projectDatabaseSql(name), ...authSchemaSql(name)]) await admin.unsafe(s);
  await admin.end();
  dbUrl.username = name;
  dbUrl.password = password;
  const sql = connect(dbUrl.toString(), 4);
  const project: BackendProject = {
    ref: name, sql, keys: await newProjectKeys(name), url: 'http://127.0.0.1',
    auth: { mailerAutoconfirm: true, allowAnonymousSignIns: true, disableSignup: false, siteUrl: 'http://localhost:3000', jwtExpiry: 3600 },
  };
  return { project, close: async () => { await sql.end(); await server.end(); } };
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-auth-'));
const cluster = await startEmbeddedPostgres(dir, () => {});
const { project, close } = await provision(cluster.url);
const unlimited = { max: 1e9, windowS: 1 };
const served = await serveAuth(project, {
  mailer: { send: async () => {} },
  rateLimits: { signInPerIp: unlimited, signInPerEmail: unlimited, otpPerIp: unlimited, otpPerEmail: unlimited },
});
const key = project.keys.anonKey;
const emails = Array.from({ length: USERS }, (_, i) => `user${i}@bench.example`);
for (const email of emails) await post(`${served.url}/auth/v1/signup`, key, { email, password: 'bench password' });

const rows: Row[] = [];
const hash = await hashPassword('bench password');
rows.push(await closedLoop('bcrypt compare alone (bcryptjs, main thread)', 1, async () => bcrypt.compare('bench password', hash)));
const pool = new BcryptPool();
rows.push(await closedLoop('bcrypt compare alone (worker pool)', 8, async () => pool.compare('bench password', hash)));
await pool.close();
for (const concurrency of [1, 8]) {
  rows.push(await closedLoop('password grant (HTTP)', concurrency, async (w, i) =>
    (await post(`${served.url}/auth/v1/token?grant_type=password`, key, { email: emails[(w * 7 + i) % USERS], password: 'bench password' })).status === 200));
}
const refreshTokens: string[] = [];
for (let w = 0; w < 8; w++) {
  const signedIn = await post(`${served.url}/auth/v1/token?grant_type=password`, key, { email: emails[w], password: 'bench password' });
  refreshTokens.push(JSON.parse(signedIn.body).refresh_token);
}
rows.push(await closedLoop('refresh-token grant (HTTP, rotation)', 8, async (w) => {
  const answer = await post(`${served.url}/auth/v1/token?grant_type=refresh_token`, key, { refresh_token: refreshTokens[w] });
  if (answer.status === 200) refreshTokens[w] = JSON.parse(answer.body).refresh_token;
  return answer.status === 200;
}));

const load = (os.loadavg()[0] ?? 0).toFixed(1);
const table = [
  `bcrypt cost ${BCRYPT_COST}; ${SECONDS} s per row; ${os.cpus().length} cores; 1-minute load average at the end: ${load}`,
  '',
  '| what | concurrency | per second | p50 | p99 | failures |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.name} | ${r.concurrency} | ${r.rate.toFixed(1)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.failures} |`),
].join('\n');
console.log(table);
await fs.mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await fs.writeFile(path.join(import.meta.dirname, 'results', 'auth.md'), `${table}\n`);
await served.close();
await close();
await cluster.stop();
await fs.rm(dir, { recursive: true, force: true });
agent.destroy();
