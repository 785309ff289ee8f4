/**
 * Point-in-time recovery with a real PostgreSQL that archives its WAL: this file starts its own
 * embedded server (the test run's shared one archives nothing) with DevFlow's archive settings,
 * and drives real pg_basebackup, a real temporary recovery server, pg_dump and pg_restore.
 * The drill (issue 21's must-hold): rows written, the time noted, the table dropped, the app
 * restored to that time, the rows back in a new database while the live one is untouched,
 * promoted, the app sees them, the other app's rows (even those written after the time) untouched.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, type ApiDeps } from '../../api/api.js';
import { loadConfig } from '../../core/config.js';
import { ensureAdminToken } from '../../core/store/tokens.js';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../core/embedded-postgres/embedded.js';
import { serverDir } from '../../core/embedded-postgres/wal-archive.js';
import { parseAppName, type AppName } from '../../core/names.js';
import { parseSecretKey } from '../../core/secrets.js';
import { AppDatabases, appDatabaseUrl } from '../../core/store/app-databases.js';
import { createApp } from '../../core/store/apps.js';
import { connect, migrate, type Sql } from '../../core/store/database.js';
import { MIGRATIONS } from '../../core/store/migrations.js';
import { withDatabase } from '../../core/store/pg-tools.js';
import { BackupService } from '../backups/service.js';
import { CLI_ENTRY } from '../../tests/support/compiled-cli.js';
import { PitrService } from './service.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const secretKey = parseSecretKey('73'.repeat(32));
let home: string;
let cluster: EmbeddedCluster;
let admin: Sql;
let sql: Sql;
let url: string;
let databases: AppDatabases;
let pitr: PitrService;
const logged: string[] = [];

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-pitr-'));
  // As root the server runs as its own user, which must reach the archive inside this folder.
  await fs.chmod(home, 0o755);
  cluster = await startEmbeddedPostgres(path.join(home, 'postgres'), () => {}, { walArchive: path.join(home, 'wal') });
  admin = connect(cluster.url, 1);
  await admin.unsafe('CREATE DATABASE devflow');
  url = withDatabase(cluster.url, 'devflow');
  sql = connect(url);
  await migrate(sql, MIGRATIONS);
  databases = new AppDatabases(sql, secretKey);
  const backups = new BackupService({ sql, serverUrl: url, databases, home, keep: 7, log: (l) => logged.push(l) });
  pitr = new PitrService({
    sql, serverUrl: url, databases, backups, home, walArchive: cluster.walArchive!, workDir: await serverDir(path.join(home, 'pitr'), cluster.walArchive!),
    keepDays: 7, log: (l) => logged.push(l),
  });
}, 120_000);

afterAll(async () => {
  await sql?.end({ timeout: 2 });
  await admin?.end({ timeout: 2 });
  await cluster?.stop();
  await fs.rm(home, { recursive: true, force: true });
});

async function newApp(name: string) {
  const app = await createApp(sql, parseAppName(name));
  await databases.ensure(app);
  return app;
}

/** The app's own connection, as its processes have it (DATABASE_URL), to `database` (its own by default). */
async function asApp(appId: number, database?: string): Promise<Sql> {
  const server = new URL(url);
  const credentials = (await databases.find(appId))!;
  return connect(appDatabaseUrl({ ...credentials, database: database ?? credentials.database }, { host: server.hostname, port: Number(server.port) }), 1);
}

async function titles(db: Sql): Promise<string[]> {
  return (await db<{ title: string }[]>`SELECT title FROM todos ORDER BY id`).map((r) => r.title);
}

/** Commit times are microseconds, Date milliseconds: a few ms apart keeps "before" and "after" apart. */
const tick = () => new Promise((r) => setTimeout(r, 20));
async function waitForState(name: string, state: string): Promise<void> {
  for (;;) {
    const found = (await pitr.listRestores(parseAppName('shop'))).find((r) => r.name === name);
    if (found?.state === state) return;
    if (found && found.state !== 'running') throw new Error(`${name} is ${found.state}: ${found.error ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const shown = (at: Date) => at.toISOString().replace('T', ' ').replace('Z', '');

describe('point-in-time recovery', () => {
  const shop = parseAppName('shop');
  let shopId: number;
  let otherId: number;
  let noted: Date;
  let firstRestore: string;

  it('the embedded server archives finished WAL segments into DEVFLOW_HOME/wal', async () => {
    const [switched] = await sql<{ wal: string }[]>`SELECT pg_walfile_name(pg_switch_wal()) AS wal`;
    for (;;) {
      const [archiver] = await sql<{ last: string | null; failed: number }[]>`SELECT last_archived_wal AS last, failed_count::int AS failed FROM pg_stat_archiver`;
      expect(archiver!.failed).toBe(0);
      if (archiver!.last && archiver!.last >= switched!.wal) break;
      await tick();
    }
    const files = await fs.readdir(path.join(home, 'wal'));
    expect(files).toContain(switched!.wal);
    expect((await fs.stat(path.join(home, 'wal', switched!.wal))).size).toBe(16 * 1024 * 1024);
  });

  it('before any base backup, a restore is refused and says how to take one', async () => {
    shopId = (await newApp('shop')).id;
    await expect(pitr.restore(shop, '2026-01-01 00:00:00')).rejects.toThrow(/there is no base backup yet to restore from: .*devflow pg:basebackup/);
  });

  it('pg:basebackup writes a tar base backup and names the WAL it needs', async () => {
    const taken = await pitr.baseBackup();
    expect(taken).toMatchObject({ kind: 'manual', state: 'succeeded', error: null });
    expect(taken.startWal).toMatch(/^[0-9A-F]{24}$/);
    expect((await fs.readdir(path.join(home, 'basebackups', taken.label))).sort()).toEqual(['backup_manifest', 'base.tar', 'pg_wal.tar']);
    const status = await pitr.status();
    expect(status.earliest).toBe(taken.finishedAt);
    expect(status.baseBackups.map((b) => b.label)).toEqual([taken.label]);
  });

  it('the drill: rows written, time noted, table dropped; the restore brings the rows back in a new database, the live one untouched', async () => {
    otherId = (await newApp('other')).id;
    const app = await asApp(shopId);
    const other = await asApp(otherId);
    await app.unsafe(`CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL);
      INSERT INTO todos (title) VALUES ('milk'), ('bread')`);
    await other.unsafe(`CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL);
      INSERT INTO todos (title) VALUES ('before')`);
    await tick();
    noted = new Date();
    await tick();
    await app.unsafe('DROP TABLE todos');
    await other.unsafe(`INSERT INTO todos (title) VALUES ('after')`);
    await app.end();
    await other.end();

    // The API answers as soon as the restore is recorded (running); recovery goes on after.
    const begun = await pitr.beginRestore(shop, shown(noted));
    expect(begun.restore).toMatchObject({ name: 'r001', state: 'running', to: noted.toISOString() });
    const restore = await begun.done;
    firstRestore = restore.name;
    expect(restore).toMatchObject({ name: 'r001', state: 'ready', to: noted.toISOString(), error: null, safetyBackup: null });
    const live = (await databases.find(shopId))!.database;
    expect(restore.database).toBe(`${live}_r1`);

    const restored = await asApp(shopId, restore.database);
    expect(await titles(restored)).toEqual(['milk', 'bread']);
    const [owner] = await restored<{ owner: string }[]>`SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'todos'`;
    expect(owner!.owner).toBe((await databases.find(shopId))!.role);
    await restored.end();
    const stillLive = await asApp(shopId);
    await expect(stillLive`SELECT 1 FROM todos`).rejects.toThrow(/relation "todos" does not exist/);
    await stillLive.end();
    expect(await pitr.listRestores(shop)).toMatchObject([{ name: 'r001', state: 'ready' }]);
  });

  it('a time before the oldest base backup is refused naming the earliest; a time in the future is refused', async () => {
    const { earliest } = await pitr.status();
    const shownEarliest = `${shown(new Date(earliest!)).replace(/\.000$/, '')} UTC`;
    await expect(pitr.restore(shop, '2020-01-01 00:00:00')).rejects.toMatchObject({
      code: 'invalid_input', message: `2020-01-01 00:00:00 UTC is before the oldest base backup: the earliest time a restore can reach is ${shownEarliest}`,
    });
    await expect(pitr.restore(shop, '2999-01-01 00:00:00')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/is in the future/) });
    await expect(pitr.restore(shop, 'last tuesday')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('promote: the app sees the rows through its own connection, a safety backup holds what was replaced, the other app is untouched', async () => {
    const promoted = await pitr.promote(shop, 1);
    expect(promoted).toMatchObject({ name: firstRestore, state: 'promoted', safetyBackup: 'b001' });
    const app = await asApp(shopId);
    expect(await titles(app)).toEqual(['milk', 'bread']);
    await app`INSERT INTO todos (title) VALUES ('eggs')`;
    expect(await titles(app)).toEqual(['milk', 'bread', 'eggs']);
    await app.end();
    const other = await asApp(otherId);
    expect(await titles(other)).toEqual(['before', 'after']);
    await other.end();
    await expect(pitr.promote(shop, 1)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/r001 of shop is promoted/) });
    await expect(pitr.promote(shop, 9)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('through the API and the CLI: pg:restore is answered at once and waits for ready; pg:restore:discard drops it, the live one stays', async () => {
    // The real API (createApi) with this file's PITR service, reached by the real CLI over HTTP.
    const token = await ensureAdminToken(sql, path.join(home, 'admin-token'));
    const deps = { sql, config: { ...loadConfig({}), port: 7070 }, addons: { pitr } } as unknown as ApiDeps;
    const server = http.createServer(createApi(deps));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const devflow = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { PATH: process.env.PATH, HOME: home, DEVFLOW_API: base, DEVFLOW_TOKEN: token, DEVFLOW_CONFIG: path.join(home, 'no-credentials.json') };
      execFile(process.execPath, [CLI_ENTRY, ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
        resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
      });
    });
    try {
      const started = await fetch(`${base}/api/v1/apps/shop/pg/restore`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ to: shown(noted) }),
      });
      expect(started.status).toBe(202);
      expect(await started.json()).toMatchObject({ name: 'r002', state: 'running' });
      const listed = await devflow(['pg:restores', 'shop']);
      expect(listed.stdout).toMatch(/^r002 /m);
      await waitForState('r002', 'ready'); // recovery went on after the answer
      await pitr.discard(shop, 2);

      const restored = await devflow(['pg:restore', 'shop', '--to', shown(noted)]);
      expect(restored.stderr).toContain("Recovering shop's database as it was at");
      expect(restored.stdout).toContain("Recovered shop's database as it was at");
      expect(restored.stdout).toContain('(r003)');
      expect(restored.code).toBe(0);
      const afterwards = await devflow(['pg:restores', 'shop', '--json']);
      const restores = JSON.parse(afterwards.stdout) as Array<{ name: string; state: string; database: string }>;
      const r3 = restores.find((r) => r.name === 'r003')!;
      expect(r3.state).toBe('ready');

      const bad = await devflow(['pg:restore', 'shop', '--to', '2999-01-01 00:00:00']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/is in the future/);

      const discarded = await devflow(['pg:restore:discard', 'shop', 'r003']);
      expect(discarded.code).toBe(0);
      expect(discarded.stdout).toContain('Discarded shop r003');
      const [exists] = await admin<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_database WHERE datname = ${r3.database}`;
      expect(exists!.n).toBe(0);
      const app = await asApp(shopId);
      expect(await titles(app)).toEqual(['milk', 'bread', 'eggs']);
      await app.end();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('retention keeps the newest base backup before the window and the WAL it needs; older times become unreachable', async () => {
    const first = (await pitr.status()).baseBackups[0]!;
    const second = await pitr.baseBackup();
    const walBefore = await fs.readdir(path.join(home, 'wal'));
    expect(walBefore.some((f) => f.slice(8) < second.startWal!.slice(8))).toBe(true);
    const pruned = await pitr.prune(new Date(Date.now() + 30 * 24 * 60 * 60 * 1000));
    expect(pruned.baseBackups).toEqual([first.label]);
    await expect(fs.stat(path.join(home, 'basebackups', first.label))).rejects.toThrow(/ENOENT/);
    const walAfter = await fs.readdir(path.join(home, 'wal'));
    expect(walAfter.filter((f) => /^[0-9A-F]{24}$/.test(f) && f.slice(8) < second.startWal!.slice(8))).toEqual([]);
    expect(walAfter.length).toBeLessThan(walBefore.length);
    await expect(pitr.restore(shop, shown(noted))).rejects.toThrow(/is before the oldest base backup: the earliest time a restore can reach is/);
    // The kept base backup still restores: the WAL it needs is there.
    const moment = new Date();
    await tick();
    const restore = await pitr.restore(shop, shown(moment));
    const restored = await asApp(shopId, restore.database);
    expect(await titles(restored)).toEqual(['milk', 'bread', 'eggs']);
    await restored.end();
    await pitr.discard(shop, restore.number);
  });
});
