/**
 * pg:backups (issue 21): backup and restore time and size of an app database of about 500 MB
 * (rows of realistic size), through DevFlow's BackupService (pg_dump's custom format with the
 * checksum taken as it is written; restore into a new database, then the swap), beside plain
 * `pg_dump -Fc` and `pg_restore` of the same database in the same run.
 *
 *   node --import tsx bench/backups.ts [--mb 500]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { BackupService } from '../addons/backups/service.js';
import { parseAppName } from '../core/names.js';
import { parseSecretKey } from '../core/secrets.js';
import { AppDatabases, appDatabaseUrl } from '../core/store/app-databases.js';
import { createApp } from '../core/store/apps.js';
import { connect } from '../core/store/database.js';
import { clientBinary, clientConnection } from '../core/store/pg-tools.js';
import { startControlDatabase } from './lib/control-database.js';
import { machine, now, numberFlag, writeResult } from './lib/devflow.js';

const MB = numberFlag('--mb', 500);
const home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-backups-'));
const control = await startControlDatabase('backups', 4);
const { sql, admin, url: controlUrl } = control;
const databases = new AppDatabases(sql, parseSecretKey('42'.repeat(32)));
const backups = new BackupService({ sql, serverUrl: controlUrl, databases, home, keep: 7, log: () => {} });
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

try {
  const shop = await createApp(sql, parseAppName('shop'));
  const copy = await createApp(sql, parseAppName('shop-copy'));
  const credentials = await databases.ensure(shop);
  await databases.ensure(copy);
  const server = new URL(controlUrl);
  const app = connect(appDatabaseUrl(credentials, { host: server.hostname, port: Number(server.port) }), 1);
  await app`CREATE TABLE orders (id bigserial PRIMARY KEY, customer text, email text, address text, note text, total numeric(10,2), created_at timestamptz)`;
  await app`INSERT INTO orders (customer, email, address, note, total, created_at)
    SELECT 'Customer ' || g, 'customer' || g || '@example.com', g || ' Long Street, Springfield, 12345',
           md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text), (g % 10000) / 100.0, now() - (g || ' seconds')::interval
    FROM generate_series(1, ${Math.round((MB * 1024 * 1024) / 250)}) g`;
  await app`CREATE INDEX orders_email ON orders (email)`;
  await app.end();
  const [size] = await sql<{ bytes: string }[]>`SELECT pg_database_size(${credentials.database}) AS bytes`;

  let t = now();
  const backup = await backups.capture(shop.name);
  const captureMs = now() - t;

  const { args, env } = clientConnection(controlUrl);
  const plainFile = path.join(home, 'plain.dump');
  t = now();
  await execa(clientBinary('pg_dump'), [...args, '--format', 'custom', '--file', plainFile, '--dbname', credentials.database], { env });
  const plainDumpMs = now() - t;
  const plainBytes = (await fs.stat(plainFile)).size;

  t = now();
  await backups.restore(shop.name, backup.number, copy.name);
  const restoreMs = now() - t;

  await admin.unsafe('CREATE DATABASE bench_plain_restore');
  t = now();
  await execa(clientBinary('pg_restore'), [...args, '--exit-on-error', '--single-transaction', '--dbname', 'bench_plain_restore', plainFile], { env });
  const plainRestoreMs = now() - t;

  await writeResult('backups', [
    `### pg:backups beside plain pg_dump/pg_restore, ${machine()}`,
    '',
    `An app database of ${mb(Number(size!.bytes))} (${MB} MB asked: orders rows of about 250 bytes and one index), PostgreSQL 15 embedded, pg_dump/pg_restore 15 from Debian.`,
    'DevFlow\'s restore is into another app (`--to-app`): it restores into a new database, takes the safety backup of the (empty) target, and swaps the names; plain is `pg_restore --single-transaction` into an empty database.',
    '',
    '| step | DevFlow | plain, same run |',
    '| --- | --- | --- |',
    `| backup (pg_dump custom format; DevFlow also hashes it as written) | ${s(captureMs)}, ${mb(backup.bytes ?? 0)} | ${s(plainDumpMs)}, ${mb(plainBytes)} |`,
    `| restore | ${s(restoreMs)} | ${s(plainRestoreMs)} |`,
    '',
  ].join('\n'));
} finally {
  await control.stop();
  await fs.rm(home, { recursive: true, force: true });
}
