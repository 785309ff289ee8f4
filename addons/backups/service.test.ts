/**
 * pg:backups with the real PostgreSQL (the test run's server) and the real pg_dump/pg_restore:
 * a backup of an app's database, the drill (rows written, the table dropped, the backup
 * restored, the rows back, owned by the app's role, its other apps untouched), a restore into
 * another app, a changed file refused by its checksum, failures with their reason, and the
 * daily schedule with its retention.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, type AppName } from '../../core/names.js';
import { parseSecretKey } from '../../core/secrets.js';
import { AppDatabases, appDatabaseUrl } from '../../core/store/app-databases.js';
import { createApp } from '../../core/store/apps.js';
import { connect, type Sql } from '../../core/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { startServingInstance } from '../../tests/support/serving-instance.js';
import { BackupService } from './service.js';

const secretKey = parseSecretKey('66'.repeat(32));
let db: TestDatabase;
let home: string;
let databases: AppDatabases;
let backups: BackupService;
const logged: string[] = [];
const apps: AppName[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-backups-'));
  databases = new AppDatabases(db.sql, secretKey);
  backups = new BackupService({ sql: db.sql, serverUrl: db.url, databases, home, keep: 2, log: (l) => logged.push(l) });
});

afterAll(async () => {
  for (const app of apps) await databases.drop(app).catch(() => {});
  await db?.drop();
  await fs.rm(home, { recursive: true, force: true });
});

async function newApp(name: string, withDatabase = true) {
  const app = await createApp(db.sql, parseAppName(name));
  apps.push(app.name);
  if (withDatabase) await databases.ensure(app);
  return app;
}

/** The app's own connection, as its processes have it (DATABASE_URL). */
async function asApp(appId: number): Promise<Sql> {
  const server = new URL(db.url);
  const credentials = (await databases.find(appId))!;
  return connect(appDatabaseUrl(credentials, { host: server.hostname, port: Number(server.port) }), 1);
}

async function titles(sql: Sql): Promise<string[]> {
  return (await sql<{ title: string }[]>`SELECT title FROM todos ORDER BY id`).map((r) => r.title);
}

describe('pg:backups', () => {
  let shopId: number;

  it('an app without a database yet has nothing to back up, and is told when it will', async () => {
    await newApp('empty', false);
    await expect(backups.capture(parseAppName('empty'))).rejects.toThrow('empty has no database yet: it gets one at its first deploy');
  });

  it("captures the app's database: b001, its size and checksum, a file only DevFlow's user reads", async () => {
    shopId = (await newApp('shop')).id;
    const app = await asApp(shopId);
    await app.unsafe(`CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL);
      INSERT INTO todos (title) VALUES ('milk'), ('bread'), ('it''s; DROP TABLE todos')`);
    await app.end();
    const backup = await backups.capture(parseAppName('shop'));
    expect(backup).toMatchObject({ name: 'b001', number: 1, kind: 'manual', state: 'succeeded', error: null });
    expect(backup.bytes).toBeGreaterThan(0);
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(home, 'backups', 'shop', 'b001.dump');
    const stat = await fs.stat(file);
    expect(stat.size).toBe(backup.bytes);
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fs.readFile(file)).subarray(0, 5).toString()).toBe('PGDMP');
    expect((await backups.list(parseAppName('shop'))).map((b) => b.name)).toEqual(['b001']);
  });

  it('the drill: rows written, the table dropped, b001 restored: the rows are back, owned by the app, and a safety backup holds what was replaced', async () => {
    const other = await newApp('other');
    const otherSql = await asApp(other.id);
    await otherSql.unsafe(`CREATE TABLE notes (body text); INSERT INTO notes VALUES ('untouched')`);
    const held = await asApp(shopId); // a session of the running app
    await held.unsafe('DROP TABLE todos');

    const result = await backups.restore(parseAppName('shop'), 1);
    expect(result.into).toBe('shop');
    expect(result.restored.name).toBe('b001');
    expect(result.safety).toMatchObject({ name: 'b002', kind: 'safety', state: 'succeeded', note: 'before restoring shop b001' });

    const app = await asApp(shopId);
    expect(await titles(app)).toEqual(['milk', 'bread', "it's; DROP TABLE todos"]);
    // Owned by the app's role as before: it writes, and the identity goes on from where it was.
    await app`INSERT INTO todos (title) VALUES ('eggs')`;
    expect((await app<{ id: string }[]>`SELECT max(id)::text AS id FROM todos`)[0]!.id).toBe('4');
    await app.end();
    // The running app's pool lost its session in the swap and reconnects to the restored data.
    expect(await titles(held)).toEqual(['milk', 'bread', "it's; DROP TABLE todos", 'eggs']);
    await held.end();
    expect((await otherSql<{ body: string }[]>`SELECT body FROM notes`).map((r) => r.body)).toEqual(['untouched']);
    await otherSql.end();
    expect(logged.some((l) => l.includes('[shop] database restored from shop b001 (safety backup b002)'))).toBe(true);
  });

  it("restores into another app: the copy belongs to that app's role, and the source is untouched", async () => {
    const copy = await newApp('shop-copy');
    await backups.restore(parseAppName('shop'), 1, parseAppName('shop-copy'));
    const copySql = await asApp(copy.id);
    expect(await titles(copySql)).toEqual(['milk', 'bread', "it's; DROP TABLE todos"]);
    await copySql`INSERT INTO todos (title) VALUES ('copy only')`;
    const [owner] = await copySql<{ owner: string }[]>`SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'todos'`;
    expect(owner!.owner).toBe((await databases.find(copy.id))!.role);
    await copySql.end();
    const shop = await asApp(shopId);
    expect(await titles(shop)).toEqual(['milk', 'bread', "it's; DROP TABLE todos", 'eggs']);
    await shop.end();
  });

  it('refuses a backup whose file changed since it was written, and leaves the live data as it was', async () => {
    const file = path.join(home, 'backups', 'shop', 'b001.dump');
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await fs.writeFile(file, bytes);
    await expect(backups.restore(parseAppName('shop'), 1)).rejects.toThrow(
      'backup b001 of shop does not match its checksum (the file changed after it was written); restore another backup');
    const shop = await asApp(shopId);
    expect(await titles(shop)).toHaveLength(4);
    await shop.end();
  });

  it('names a missing backup and a bad reference the way to find the right one', async () => {
    await expect(backups.restore(parseAppName('shop'), 99)).rejects.toThrow('shop has no backup b099: see devflow pg:backups shop');
    await expect(backups.remove(parseAppName('shop'), 99)).rejects.toThrow('shop has no backup b099');
  });

  it("a backup that fails shows as failed with pg_dump's reason; the app is untouched", async () => {
    const gone = await newApp('gone');
    // The database vanished behind DevFlow's back (a hand-run DROP): pg_dump says so.
    const { database } = (await databases.find(gone.id))!;
    await db.sql.unsafe(`DROP DATABASE "${database}" WITH (FORCE)`);
    await expect(backups.capture(parseAppName('gone'))).rejects.toThrow(/backup b001 of gone failed: .*does not exist/);
    const [failed] = await backups.list(parseAppName('gone'));
    expect(failed).toMatchObject({ name: 'b001', state: 'failed' });
    expect(failed!.error).toMatch(/does not exist/);
    await expect(fs.stat(path.join(home, 'backups', 'gone', 'b001.dump'))).rejects.toThrow(/ENOENT/);
    await db.sql`DELETE FROM app_databases WHERE app_id = ${gone.id}`;
  });

  it("a backup that fails while the app runs leaves it serving: the same instance answers, its rows are there", async () => {
    const busy = await newApp('busy');
    const own = await asApp(busy.id);
    await own.unsafe(`CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL);
      INSERT INTO todos (title) VALUES ('still here')`);
    const web = await startServingInstance(home, busy.name, 'busy');
    try {
      expect(await web.answer()).toEqual({ status: 200, body: 'serving busy' });
      // The backup folder cannot be made (a file stands where it goes, as on a full or broken disk).
      await fs.mkdir(path.join(home, 'backups'), { recursive: true });
      await fs.writeFile(path.join(home, 'backups', 'busy'), 'not a folder');
      await expect(backups.capture(parseAppName('busy'))).rejects.toThrow(/backup b001 of busy failed: EEXIST: file already exists, mkdir/);
      expect(await backups.list(parseAppName('busy'))).toEqual([expect.objectContaining({ name: 'b001', state: 'failed', error: expect.stringMatching(/EEXIST/) })]);
      expect(await web.stillRunning()).toBe(true);
      expect(await web.answer()).toEqual({ status: 200, body: 'serving busy' });
      expect(await titles(own)).toEqual(['still here']);
    } finally {
      await web.stop();
      await own.end();
      await fs.rm(path.join(home, 'backups', 'busy'), { force: true });
    }
  });

  it('daily by themselves: one scheduled backup a day per app, the newest 2 kept, manual and safety ones left alone', async () => {
    const scheduledOf = async () => (await backups.list(parseAppName('other'))).filter((b) => b.kind === 'scheduled').map((b) => b.name);
    const now = Date.now();
    await backups.scheduledTick(new Date(now));
    expect(await scheduledOf()).toEqual(['b001']);
    await backups.scheduledTick(new Date(now)); // not a day later: nothing new
    expect(await scheduledOf()).toEqual(['b001']);
    // The schedule reads the newest backup's start; move them back a day each time, as days passing would.
    const age = () => db.sql`UPDATE pg_backups SET started_at = started_at - interval '1 day'`;
    await age();
    await backups.scheduledTick(new Date(now + 60_000));
    await age();
    await backups.scheduledTick(new Date(now + 60_000));
    expect(await scheduledOf()).toEqual(['b003', 'b002']);
    expect(logged).toContain('[other] backup b001 removed: 2 newer scheduled backups are kept');
    await expect(fs.stat(path.join(home, 'backups', 'other', 'b001.dump'))).rejects.toThrow(/ENOENT/);
    // shop's manual b001 and safety b002 are still there beside its own newest 2 scheduled ones.
    const shop = (await backups.list(parseAppName('shop'))).map((b) => `${b.name} ${b.kind}`);
    expect(shop.filter((b) => !b.endsWith('scheduled'))).toEqual(['b002 safety', 'b001 manual']);
    expect(shop.filter((b) => b.endsWith('scheduled'))).toHaveLength(2);
  });

  it('an app removed (after its --confirm) takes its backup files with it', async () => {
    await backups.removeAll(parseAppName('other'));
    await expect(fs.stat(path.join(home, 'backups', 'other'))).rejects.toThrow(/ENOENT/);
    expect(await fs.stat(path.join(home, 'backups', 'shop'))).toBeTruthy();
  });
});
