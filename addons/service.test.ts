/**
 * Add-ons of an app with the real PostgreSQL (the test run's server) and a real redis-server:
 * creating a redis add-on sets REDIS_URL through the scheduler's config path, destroying it
 * unsets it, postgres extensions land in the app's own database, bad input is refused with the
 * list of kinds, and removing an app's add-ons deprovisions them. A preview of an app with add-ons
 * gets a Redis of its own (another ACL user: the two cannot read each other's keys), none of an
 * external server's variables unless shared, and loses its Redis with it.
 */
import { once } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, type AppName } from '../core/names.js';
import { parseSecretKey } from '../core/secrets.js';
import { AppDatabases } from '../core/store/app-databases.js';
import { createApp, getConfigVars } from '../core/store/apps.js';
import { createPreview } from '../core/store/previews.js';
import { insertAddon } from './store.js';
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

/** A client of the add-on Redis server as the given URL's user, which gives up at the first refusal. */
async function redisAs(url: string) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  return redis;
}

/** The server's first reply to AUTH with the URL's user and password, as raw RESP. */
async function authReply(url: URL): Promise<string> {
  const socket = net.connect(Number(url.port), url.hostname);
  try {
    socket.write(`AUTH ${decodeURIComponent(url.username)} ${decodeURIComponent(url.password)}\r\n`);
    const [data] = (await once(socket, 'data')) as [Buffer];
    return data.toString();
  } finally {
    socket.destroy();
  }
}

describe("a preview's add-ons", () => {
  it("gets a Redis of its own, withholds a named server's variables (saying so) unless shared, and loses its Redis with it", async () => {
    const parent = await newApp('store');
    await addons.service.create(parent.name, 'redis', {}, 'admin');
    // The row vespa's create stores: preparing a preview reads rows only, it never calls the server.
    await insertAddon(db.sql, secretKey, parent, 'vespa', 'vespa-abcdef', { settings: { url: 'http://search.internal:8080', namespace: 'app-store' } }, ['VESPA_URL', 'VESPA_NAMESPACE']);
    const created = await createPreview(db.sql, parent, 'feature', 'branch', 'feature');
    const preview = { id: created.appId, name: created.app };
    const lines: string[] = [];
    const log = { line: (line: string) => lines.push(line) };

    const env = await addons.previews.prepare(preview, parent, log);
    expect([...env.withhold].sort()).toEqual(['REDIS_URL', 'VESPA_NAMESPACE', 'VESPA_URL']);
    expect(env.set.REDIS_URL).toMatch(new RegExp(`^redis://app_${preview.name}:[\\w-]+@127\\.0\\.0\\.1:\\d+$`));
    expect(lines).toEqual([
      expect.stringMatching(/^-----> Made redis-[0-9a-f]{6} \(redis\) for the preview: REDIS_URL, empty \(store's data is not copied\)$/),
      expect.stringContaining('Not passed to the preview: VESPA_URL, VESPA_NAMESPACE of vespa-abcdef (vespa, a server you run)'),
      expect.stringContaining('devflow addons:share store vespa-abcdef'),
    ]);
    expect((await addons.service.list(preview.name)).map((a) => [a.kind, a.previews])).toEqual([['redis', 'own']]);

    const asPreview = await redisAs(env.set.REDIS_URL!);
    const asParent = await redisAs((await getConfigVars(db.sql, parent.id)).REDIS_URL!);
    try {
      await asParent.set('store:greeting', 'production');
      expect(await asPreview.set(`${preview.name}:greeting`, 'preview')).toBe('OK');
      await expect(asPreview.get('store:greeting')).rejects.toThrow(/NOPERM/);
      await expect(asParent.get(`${preview.name}:greeting`)).rejects.toThrow(/NOPERM/);
      expect(await asParent.get('store:greeting')).toBe('production');
    } finally {
      asPreview.disconnect();
      asParent.disconnect();
    }

    // The next deploy: the same Redis; once vespa is shared, its variables are inherited.
    const view = await addons.service.shareWithPreviews(parent.name, 'vespa', true);
    expect(view.previews).toBe('shared');
    lines.length = 0;
    const again = await addons.previews.prepare(preview, parent, log);
    expect(again).toEqual({ set: env.set, withhold: ['REDIS_URL'] });
    expect(lines).toEqual(['-----> Shared with store, as you chose: vespa-abcdef']);

    await addons.previews.removeAll(preview);
    expect(await addons.service.list(preview.name)).toEqual([]);
    // Its user is gone: the password it had is refused.
    const url = new URL(env.set.REDIS_URL!);
    expect(await authReply(url)).toMatch(/^-WRONGPASS/);
  });
});
