/**
 * Add-ons of an app with the real PostgreSQL (the test run's server) and a real redis-server:
 * creating a redis add-on sets REDIS_URL through the scheduler's config path, destroying it
 * unsets it, postgres extensions land in the app's own database, bad input is refused with the
 * list of kinds, and removing an app's add-ons deprovisions them.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, type AppName } from '../core/names.js';
import { parseSecretKey } from '../core/secrets.js';
import { AppDatabases } from '../core/store/app-databases.js';
import { createApp, getConfigVars } from '../core/store/apps.js';
import { connect } from '../core/store/database.js';
import { ProcessRuntime, releaseOperations, type SchedulerDeps } from '../scheduler/index.js';
import { createTestDatabase, withDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { createAddons, type Addons } from './index.js';

const secretKey = parseSecretKey('21'.repeat(32));
let db: TestDatabase;
let home: string;
let addons: Addons;
let databases: AppDatabases;
const apps: AppName[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-addons-'));
  databases = new AppDatabases(db.sql, secretKey);
  // Apps here have no release yet, so config:set only stores the vars (no runtime is touched).
  const releases = releaseOperations({ sql: db.sql } as SchedulerDeps, () => {});
  addons = await createAddons({
    sql: db.sql, secretKey, home, serverUrl: db.url, databases, runtime: new ProcessRuntime({ home: os.tmpdir() }), docker: undefined,
    setConfig: (app, change, actor) => releases.setConfig(app, change, actor), log: () => {}, cronEveryMs: 0,
  });
});

afterAll(async () => {
  await addons?.close();
  for (const app of apps) await databases.drop(app).catch(() => {});
  await db?.drop();
  await fs.rm(home, { recursive: true, force: true });
});

async function newApp(name: string) {
  const app = await createApp(db.sql, parseAppName(name));
  apps.push(app.name);
  return app;
}

describe('add-ons of an app', () => {
  it('creates a redis add-on: REDIS_URL becomes a config var, the list shows it masked', async () => {
    const shop = await newApp('shop');
    const created = await addons.service.create(shop.name, 'redis', {}, 'admin');
    expect(created.addon).toMatchObject({ kind: 'redis', app: 'shop', env: ['REDIS_URL'], plan: 'shared server, ACL user per app' });
    expect(created.addon.name).toMatch(/^redis-[0-9a-f]{6}$/);
    const vars = await getConfigVars(db.sql, shop.id);
    expect(vars.REDIS_URL).toMatch(/^redis:\/\/app_shop:[\w-]+@127\.0\.0\.1:\d+$/);
    const [listed] = await addons.service.list(shop.name);
    expect(listed!.connection).toBe(vars.REDIS_URL!.replace(/:[\w-]+@/, ':****@'));
    await expect(addons.service.create(shop.name, 'redis', {}, 'admin')).rejects.toThrow(/already has a redis add-on/);
  });

  it('refuses an unknown kind, naming the kinds there are', async () => {
    await expect(addons.service.create(parseAppName('shop'), 'mongodb', {}, 'admin'))
      .rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/unknown add-on kind "mongodb"; the kinds are: redis: .*; postgres: /) });
    const cache = await newApp('cache');
    await expect(addons.service.create(cache.name, 'redis', { plan: 'big' }, 'admin')).rejects.toThrow(/takes no options/);
  });

  it('destroys by kind: REDIS_URL is unset and the add-on is gone', async () => {
    const shop = parseAppName('shop');
    await expect(addons.service.destroy(shop, 'memcached', 'admin')).rejects.toMatchObject({ code: 'not_found' });
    await addons.service.destroy(shop, 'redis', 'admin');
    expect(await addons.service.list(shop)).toEqual([]);
    expect((await getConfigVars(db.sql, (await newAppId('shop')))).REDIS_URL).toBeUndefined();
  });

  it("enables postgres extensions in the app's own database, usable by the app's role", async () => {
    const blog = await newApp('blog');
    const { addon } = await addons.service.create(blog.name, 'postgres', { extensions: 'pg_trgm,hstore' }, 'admin');
    expect(addon.info).toMatchObject({ extensions: 'pg_trgm, hstore' });
    const credentials = (await databases.find(blog.id))!;
    const url = new URL(withDatabase(db.url, credentials.database));
    url.username = credentials.role;
    url.password = credentials.password;
    const asApp = connect(url.toString(), 1);
    try {
      const [row] = await asApp<{ s: number }[]>`SELECT similarity('devflow', 'devflows') AS s`;
      expect(row!.s).toBeGreaterThan(0.5);
      const [h] = await asApp<{ v: string }[]>`SELECT ('a=>1'::hstore) -> 'a' AS v`;
      expect(h!.v).toBe('1');
    } finally {
      await asApp.end({ timeout: 2 });
    }
  });

  it('refuses extensions the server does not have, with what it has', async () => {
    const docs = await newApp('docs');
    await expect(addons.service.create(docs.name, 'postgres', { extensions: 'pg_trgm,no_such_ext' }, 'admin'))
      .rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/no extension "no_such_ext"; it has: .*hstore/) });
    expect(await addons.service.list(docs.name)).toEqual([]);
  });

  it("removing an app's add-ons deprovisions each (as app removal does)", async () => {
    const gone = await newApp('gone');
    await addons.service.create(gone.name, 'redis', {}, 'admin');
    await addons.removeAll(gone);
    expect(await addons.service.list(gone.name)).toEqual([]);
    const acl = await fs.readFile(path.join(home, 'redis', 'users.acl'), 'utf8');
    expect(acl).not.toMatch(/app_gone/);
  });
});

async function newAppId(name: string): Promise<number> {
  const [row] = await db.sql<{ id: number }[]>`SELECT id FROM apps WHERE name = ${name}`;
  return row!.id;
}
