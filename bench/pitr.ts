/**
 * Point-in-time recovery (issue 21): `pg:restore --to` of an app database (a base backup of the
 * whole cluster extracted, WAL replayed to the time on a temporary server, the app's database
 * dumped from it and restored into a new database on the live server) for a small and a larger
 * database, beside the plain way of the same run: pg_basebackup, then a recovery of the whole
 * cluster to the same time (extract, recovery.signal, restore_command from the archive, replay).
 *
 *   node --import tsx bench/pitr.ts [--mb 200]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { BackupService } from '../addons/backups/service.js';
import { takeBaseBackup } from '../addons/pitr/basebackup.js';
import { startRecoveredServer } from '../addons/pitr/recovery.js';
import { PitrService } from '../addons/pitr/service.js';
import { startEmbeddedPostgres } from '../core/embedded-postgres/embedded.js';
import { serverDir } from '../core/embedded-postgres/wal-archive.js';
import { parseAppName } from '../core/names.js';
import { parseSecretKey } from '../core/secrets.js';
import { AppDatabases, appDatabaseUrl } from '../core/store/app-databases.js';
import { createApp } from '../core/store/apps.js';
import { connect, migrate } from '../core/store/database.js';
import { MIGRATIONS } from '../core/store/migrations.js';
import { withDatabase } from '../core/store/pg-tools.js';
import { machine, now, numberFlag, sleep, writeResult } from './lib/devflow.js';

const MB = numberFlag('--mb', 200);
const home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-pitr-'));
await fs.chmod(home, 0o755);
const cluster = await startEmbeddedPostgres(path.join(home, 'postgres'), () => {}, { walArchive: path.join(home, 'wal') });
const admin = connect(cluster.url, 1);
await admin.unsafe('CREATE DATABASE devflow');
const url = withDatabase(cluster.url, 'devflow');
const sql = connect(url, 4);
await migrate(sql, MIGRATIONS);
const databases = new AppDatabases(sql, parseSecretKey('42'.repeat(32)));
const backups = new BackupService({ sql, serverUrl: url, databases, home, keep: 7, log: () => {} });
const workDir = await serverDir(path.join(home, 'pitr'), cluster.walArchive!);
const pitr = new PitrService({ sql, serverUrl: url, databases, backups, home, walArchive: cluster.walArchive!, workDir, keepDays: 7, log: () => {} });
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rows: string[] = [];

async function measure(name: string, mbWanted: number): Promise<void> {
  const app = await createApp(sql, parseAppName(name));
  const credentials = await databases.ensure(app);
  const server = new URL(url);
  const db = connect(appDatabaseUrl(credentials, { host: server.hostname, port: Number(server.port) }), 1);
  await db`CREATE TABLE orders (id bigserial PRIMARY KEY, customer text, email text, note text, total numeric(10,2))`;
  await db`INSERT INTO orders (customer, email, note, total)
    SELECT 'Customer ' || g, 'customer' || g || '@example.com', md5(g::text) || md5((g * 7)::text), (g % 10000) / 100.0
    FROM generate_series(1, ${Math.max(1000, Math.round((mbWanted * 1024 * 1024) / 160))}) g`;
  const [size] = await sql<{ db: string; cluster: string }[]>`
    SELECT pg_database_size(${credentials.database}) AS db, (SELECT sum(pg_database_size(datname)) FROM pg_database) AS cluster`;

  let t = now();
  const base = await pitr.baseBackup();
  const baseMs = now() - t;
  const plainDir = path.join(home, `plain-${name}`);
  t = now();
  await takeBaseBackup(url, plainDir);
  const plainBaseMs = now() - t;
  // Work after the base backup that replay has to go through, then the moment, then the mistake.
  await db`UPDATE orders SET total = total + 1 WHERE id % 10 = 0`;
  await sleep(20);
  const moment = new Date();
  await sleep(20);
  await db`DROP TABLE orders`;
  await db.end();

  t = now();
  const restore = await pitr.restore(app.name, moment.toISOString().replace('T', ' ').replace('Z', ''));
  const restoreMs = now() - t;

  t = now();
  const recovered = await startRecoveredServer({
    baseBackupDir: plainDir, walArchive: cluster.walArchive!, workDir, target: moment,
    user: decodeURIComponent(server.username), password: decodeURIComponent(server.password),
  });
  const plainReplayMs = now() - t;
  await recovered.stop();
  await execa('rm', ['-rf', plainDir]);
  await pitr.discard(app.name, restore.number);
  rows.push(`| ${name}: database ${mb(Number(size!.db))}, cluster ${mb(Number(size!.cluster))}, base backup ${mb(base.bytes ?? 0)} | ${s(baseMs)} | ${s(restoreMs)} | ${s(plainBaseMs)} | ${s(plainReplayMs)} |`);
}

try {
  await measure('small', 1);
  await measure('larger', MB);
  const load = (await fs.readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  await writeResult('pitr', [
    `### pg:restore --to (point-in-time) beside plain pg_basebackup + replay, ${machine()}`,
    '',
    `PostgreSQL 15 embedded with WAL archiving (basic_archive), pg_basebackup/pg_dump/pg_restore 15 from Debian; load average at the end ${load}.`,
    "DevFlow's restore: the newest base backup before the time extracted, WAL replayed on a temporary server to the time and promoted, the app's database dumped from it and restored into a new database on the live server.",
    'Plain: pg_basebackup of the same cluster, then the same recovery of the whole cluster to the same time (no dump/restore of the one database).',
    '',
    '| database | pg:basebackup | pg:restore --to | plain pg_basebackup | plain recovery to the time |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'));
} finally {
  await sql.end({ timeout: 2 });
  await admin.end({ timeout: 2 });
  await cluster.stop();
  await fs.rm(home, { recursive: true, force: true });
}
