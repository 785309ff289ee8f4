/**
 * PgBouncer vs direct connections (issue 21): pgbench's TPC-B-like transactions from 200
 * clients on one app database, through the pgbouncer add-on's pool (transaction mode, 20 server
 * connections, as DATABASE_POOL_URL gives) and straight to the server (DATABASE_URL), in the
 * same run, on the bench's own embedded PostgreSQL (max_connections 200, as DevFlow starts it).
 *
 *   node --import tsx bench/pool.ts [--clients 200] [--seconds 15]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { PgBouncerProvider } from '../addons/pool/provider.js';
import { ManagedPgBouncer } from '../addons/pool/server.js';
import { poolLayout } from '../addons/pool/plan.js';
import { parseAppName } from '../core/names.js';
import { parseSecretKey } from '../core/secrets.js';
import { AppDatabases } from '../core/store/app-databases.js';
import { createApp } from '../core/store/apps.js';
import { startControlDatabase } from './lib/control-database.js';
import { machine, numberFlag, writeResult } from './lib/devflow.js';

const CLIENTS = numberFlag('--clients', 200);
const SECONDS = numberFlag('--seconds', 15);
const home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-pool-'));
const control = await startControlDatabase('pool', 2);
const server = new URL(control.url);
const databases = new AppDatabases(control.sql, parseSecretKey('75'.repeat(32)));
const pool = new ManagedPgBouncer({ home, listen: [], server: { host: server.hostname, port: Number(server.port) }, log: () => {} });

interface Run { tps: string; failed: string }

/** pgbench's summary: transactions/s (without connection time) and the failures it counted. */
async function pgbench(port: number, credentials: { role: string; password: string; database: string }, extra: string[]): Promise<Run> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-U', credentials.role, ...extra, credentials.database];
  const run = await execa('pgbench', args, { env: { PGPASSWORD: credentials.password }, reject: false, all: true });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(run.all ?? '')?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(run.all ?? '')?.[1];
  if (!tps) return { tps: 'failed', failed: (run.all ?? '').split('\n').filter((l) => /error|FATAL/i.test(l)).slice(0, 1).join(' ').slice(0, 120) };
  return { tps: Number(tps).toFixed(0), failed: failed ?? '0' };
}

try {
  const shop = await createApp(control.sql, parseAppName('shop'));
  const credentials = await databases.ensure(shop);
  const provider = new PgBouncerProvider({ sql: control.sql, pool, databases, appHost: '127.0.0.1' });
  const { settings } = await provider.provision(shop, {});
  const poolPort = (settings as { port: number }).port;
  await pgbench(Number(server.port), credentials, ['-i', '-s', '10', '-q']);
  const load = [CLIENTS, '-j', '2', '-T', String(SECONDS), '--no-vacuum'];
  const viaPool = await pgbench(poolPort, credentials, ['-c', ...load.map(String)]);
  const direct = await pgbench(Number(server.port), credentials, ['-c', ...load.map(String)]);
  const directFewer = await pgbench(Number(server.port), credentials, ['-c', '150', ...load.slice(1).map(String)]);
  const avg = os.loadavg().map((l) => l.toFixed(1)).join(', ');
  const markdown = [
    `### PgBouncer vs direct (${machine()}, load average ${avg})`, '',
    `pgbench TPC-B-like, scale 10, ${SECONDS} s each, 2 threads, one app database, the app's own role.`, '',
    '| path | clients | transactions/s | failed |', '| --- | --- | --- | --- |',
    `| DATABASE_POOL_URL (PgBouncer, transaction mode, 20 server connections) | ${CLIENTS} | ${viaPool.tps} | ${viaPool.failed} |`,
    `| DATABASE_URL (direct, max_connections 200) | ${CLIENTS} | ${direct.tps} | ${direct.failed} |`,
    `| DATABASE_URL (direct) | 150 | ${directFewer.tps} | ${directFewer.failed} |`, '',
  ].join('\n');
  await writeResult('pool', markdown);
} finally {
  await pool.stop();
  await control.stop();
  await fs.rm(poolLayout(home, process.getuid?.() === 0).dir, { recursive: true, force: true });
  await fs.rm(home, { recursive: true, force: true });
}
