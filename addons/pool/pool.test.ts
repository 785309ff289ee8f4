/**
 * The pgbouncer add-on with a real pgbouncer (Debian's, started by DevFlow) in front of the real
 * PostgreSQL (the test run's server), through the addons role as the API drives it: each app's
 * DATABASE_POOL_URL runs queries and transactions with the `postgres` client, a wrong password
 * and another app's database are refused, destroying the add-on unsets the variable and closes
 * the app's way through the pool, and a restarted DevFlow starts the pool again for the rest.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, type AppName } from '../../core/names.js';
import { parseSecretKey } from '../../core/secrets.js';
import { AppDatabases } from '../../core/store/app-databases.js';
import { createApp, getConfigVars } from '../../core/store/apps.js';
import { ProcessRuntime, releaseOperations, type SchedulerDeps } from '../../scheduler/index.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { createAddons, type Addons } from '../index.js';
import { poolLayout } from './plan.js';

const secretKey = parseSecretKey('75'.repeat(32));
let db: TestDatabase;
let home: string;
let addons: Addons;
let databases: AppDatabases;
const apps: AppName[] = [];
const clients: postgres.Sql[] = [];

async function startAddons(): Promise<Addons> {
  // Apps here have no release yet, so config:set only stores the vars (no runtime is touched).
  const releases = releaseOperations({ sql: db.sql } as SchedulerDeps, () => {});
  return createAddons({
    sql: db.sql, secretKey, home, serverUrl: db.url, databases, runtime: new ProcessRuntime({ home: os.tmpdir() }), docker: undefined,
    setConfig: (app, change, actor) => releases.setConfig(app, change, actor), log: () => {}, cronEveryMs: 0, backupEveryMs: 0,
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-pool-'));
  databases = new AppDatabases(db.sql, secretKey);
  addons = await startAddons();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end({ timeout: 1 })));
  await addons?.close();
  for (const app of apps) await databases.drop(app).catch(() => {});
  await db?.drop();
  await fs.rm(poolLayout(home, process.getuid?.() === 0).dir, { recursive: true, force: true });
  await fs.rm(home, { recursive: true, force: true });
});

/** A client as an app would make one: transaction mode keeps no named prepared statement. */
function connectTo(url: string): postgres.Sql {
  const sql = postgres(url, { prepare: false, max: 2, connect_timeout: 5, onnotice: () => {} });
  clients.push(sql);
  return sql;
}

async function pooledApp(name: string): Promise<{ id: number; url: string }> {
  const app = await createApp(db.sql, parseAppName(name));
  apps.push(app.name);
  await addons.service.create(app.name, 'pgbouncer', {}, 'admin');
  return { id: app.id, url: (await getConfigVars(db.sql, app.id)).DATABASE_POOL_URL! };
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

function withDatabaseOf(url: string, other: string): string {
  const parsed = new URL(url);
  parsed.pathname = new URL(other).pathname;
  return parsed.toString();
}

describe('the pgbouncer add-on', () => {
  let shop: { id: number; url: string };
  let blog: { id: number; url: string };

  it("sets DATABASE_POOL_URL: the app's own role and database at the pool, which runs its queries and transactions", async () => {
    shop = await pooledApp('shop');
    const credentials = (await databases.find(shop.id))!;
    expect(shop.url).toBe(`postgres://${credentials.role}:${credentials.password}@127.0.0.1:${new URL(shop.url).port}/${credentials.database}`);
    const [listed] = await addons.service.list(parseAppName('shop'));
    expect(listed).toMatchObject({ kind: 'pgbouncer', env: ['DATABASE_POOL_URL'], info: { mode: 'transaction' } });
    expect(listed!.connection).toContain(':****@127.0.0.1:');

    const sql = connectTo(shop.url);
    await sql`CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL)`;
    await sql.begin(async (tx) => {
      await tx`INSERT INTO orders VALUES (1, 'tea'), (2, 'cake')`;
      await tx`INSERT INTO orders ${tx({ id: 3, item: "it's" })}`;
    });
    expect(await sql`SELECT item FROM orders ORDER BY id`).toEqual([{ item: 'tea' }, { item: 'cake' }, { item: "it's" }]);
    const [who] = await sql<{ role: string; db: string }[]>`SELECT current_user AS role, current_database() AS db`;
    expect(who).toEqual({ role: credentials.role, db: credentials.database });
    // A failed transaction is rolled back on the server, not left for the next client.
    await expect(sql.begin(async (tx) => {
      await tx`INSERT INTO orders VALUES (4, 'lost')`;
      await tx`INSERT INTO orders VALUES (1, 'duplicate')`;
    })).rejects.toThrow(/duplicate key/);
    expect((await sql`SELECT count(*)::int AS n FROM orders`)[0]!.n).toBe(3);
  });

  it('writes its auth file for the pool user alone, and runs in transaction mode', async () => {
    const layout = poolLayout(home, process.getuid?.() === 0);
    expect((await fs.stat(layout.authFile)).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(layout.ini, 'utf8')).toContain('pool_mode = transaction');
  });

  it('refuses a wrong password', async () => {
    await expect(connectTo(withPassword(shop.url, 'not-the-password'))`SELECT 1`).rejects.toThrow(/SASL authentication failed/);
  });

  it("refuses one app's credentials on another app's database, through the pool", async () => {
    blog = await pooledApp('blog');
    await connectTo(blog.url)`CREATE TABLE posts (title text)`;
    await expect(connectTo(withDatabaseOf(shop.url, blog.url))`SELECT 1`).rejects.toThrow(/permission denied for database/);
    await expect(connectTo(withDatabaseOf(blog.url, shop.url))`SELECT * FROM orders`).rejects.toThrow(/permission denied for database/);
    // An app that is not pooled is not reachable through the pool at all.
    const bare = await createApp(db.sql, parseAppName('bare'));
    apps.push(bare.name);
    const bareDb = await databases.ensure(bare);
    await expect(connectTo(withDatabaseOf(shop.url, `postgres://x@h/${bareDb.database}`))`SELECT 1`).rejects.toThrow(/no such database/);
  });

  it('a restarted DevFlow starts the pool again with the pooled apps', async () => {
    await Promise.all(clients.splice(0).map((c) => c.end({ timeout: 1 })));
    await addons.close();
    await expect(connectTo(shop.url)`SELECT 1`).rejects.toThrow(/ECONNREFUSED/);
    addons = await startAddons();
    expect(await connectTo(shop.url)`SELECT item FROM orders WHERE id = 2`).toEqual([{ item: 'cake' }]);
  });

  it("destroying the add-on unsets DATABASE_POOL_URL and closes the app's way through the pool; the other app keeps its own", async () => {
    await addons.service.destroy(parseAppName('shop'), 'pgbouncer', 'admin');
    expect(await getConfigVars(db.sql, shop.id)).not.toHaveProperty('DATABASE_POOL_URL');
    await expect(connectTo(shop.url)`SELECT 1`).rejects.toThrow(/SASL authentication failed/);
    expect(await connectTo(blog.url)`SELECT count(*)::int AS n FROM posts`).toEqual([{ n: 0 }]);
  });
});
