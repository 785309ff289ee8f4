/**
 * The backend's foundation end to end inside one process: enabling provisions the app's real
 * database, the gateway resolves the project by host and by path, decides the role from the
 * key or token, and a mounted service runs SQL in that role with its claims (a probe service
 * stands in for rest/ and auth/, which have their own tests).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { parseAppName } from '../core/names.js';
import { parseSecretKey } from '../core/secrets.js';
import { AppDatabases } from '../core/store/app-databases.js';
import { createApp } from '../core/store/apps.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import type { BackendService } from './contract.js';
import { createBackend, type Backend, type BackendView } from './index.js';
import { inRequestTransaction } from './session.js';

const USER = '33333333-3333-3333-3333-333333333333';

/** Answers with who the request ran as, from inside the project's database. */
const probe: BackendService = {
  prefix: 'rest/v1',
  async handle(_req, res, ctx, path) {
    const [row] = await inRequestTransaction(ctx.project.sql, ctx, { readOnly: true }, (tx) => tx`
      SELECT current_user AS db_role, auth.uid() AS uid, auth.role() AS claim_role, current_database() AS database`);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ...row, path, ref: ctx.project.ref, client: ctx.clientAddress, providers: ctx.project.externalProviders?.map((p) => p.provider) }));
  },
};

describe('the backend foundation', () => {
  let db: TestDatabase;
  let backend: Backend;
  let server: http.Server;
  let base: string;
  let shop: BackendView;
  let blog: BackendView;

  beforeAll(async () => {
    db = await createTestDatabase();
    const secretKey = parseSecretKey('11'.repeat(32));
    const databases = new AppDatabases(db.sql, secretKey);
    const config = { ...loadConfig({}), port: 7070, httpsPort: 8443, gitAllowHosts: ['10.0.0.8'] };
    backend = createBackend({
      sql: db.sql, serverUrl: db.url, secretKey, databases, config, runtime: 'process', docker: undefined,
      log: () => {}, services: async () => [probe],
    });
    for (const name of ['shop', 'blog']) await createApp(db.sql, parseAppName(name));
    shop = (await backend.operations.enable(parseAppName('shop'))).view;
    blog = (await backend.operations.enable(parseAppName('blog'))).view;
    server = http.createServer((req, res) => {
      if (!backend.handle(req, res)) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await backend?.close();
    server?.close();
    await db?.drop();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  };

  it('enables once: the keys are Supabase-shaped JWTs and a second enable keeps them', async () => {
    expect(shop.url).toBe('http://127.0.0.1:7070/backend/shop');
    expect(shop.hostUrl).toBe('https://shop--api.localhost:8443');
    expect(JSON.parse(Buffer.from(shop.anonKey.split('.')[1]!, 'base64url').toString())).toMatchObject({ role: 'anon', ref: 'shop', iss: 'supabase' });
    const again = await backend.operations.enable(parseAppName('shop'));
    expect(again.turnedOn).toBe(false);
    expect(again.view.serviceRoleKey).toBe(shop.serviceRoleKey);
    expect(blog.anonKey).not.toBe(shop.anonKey);
  });

  it('keeps the JWT secret and the service-role key sealed at rest', async () => {
    const rows = await db.sql`SELECT sealed_jwt_secret, sealed_service_role_key, sealed_signing_key FROM backend_projects`;
    for (const row of rows) for (const value of Object.values(row)) expect(String(value)).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain(shop.serviceRoleKey);
  });

  it('runs each request in the project database, in the role its key names', async () => {
    const anon = await get('/backend/shop/rest/v1/todos?select=id', { apikey: shop.anonKey });
    expect(anon.status).toBe(200);
    expect(anon.body).toMatchObject({ db_role: 'anon', claim_role: 'anon', uid: null, path: '/todos?select=id', ref: 'shop' });
    expect(String(anon.body.database)).toMatch(/^app_shop_/);
    const service = await get('/backend/shop/rest/v1/', { apikey: shop.serviceRoleKey });
    expect(service.body.db_role).toBe('service_role');
  });

  it('takes a user token signed with the project secret as authenticated with its sub', async () => {
    const secret = await backendSecret();
    const token = await new SignJWT({ role: 'authenticated', sub: USER }).setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    const res = await get('/backend/shop/rest/v1/x', { apikey: shop.anonKey, authorization: `Bearer ${token}` });
    expect(res.body).toMatchObject({ db_role: 'authenticated', uid: USER, claim_role: 'authenticated' });
  });

  it('resolves the host form too (the router forwards <project>--api.<domain> here)', async () => {
    // fetch may not set Host; node:http may.
    const body = await new Promise<string>((resolve, reject) => {
      http.get(`${base}/rest/v1/todos`, { headers: { host: 'blog--api.localhost:8443', apikey: blog.anonKey } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(JSON.parse(body)).toMatchObject({ ref: 'blog', db_role: 'anon', path: '/todos' });
  });

  it('believes X-Forwarded-For only from the router (host form, from this machine), and then only the hop it appended', async () => {
    const forged = await get('/backend/shop/rest/v1/x', { apikey: shop.anonKey, 'x-forwarded-for': '1.2.3.4' });
    expect(forged.body.client).toBe('127.0.0.1');
    // The router forwards the host form and appends the address it saw after what the client sent.
    const routed = await new Promise<Record<string, unknown>>((resolve, reject) => {
      http.get(`${base}/rest/v1/x`, { headers: { host: 'shop--api.localhost', apikey: shop.anonKey, 'x-forwarded-for': '1.2.3.4, 203.0.113.9' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
      }).on('error', reject);
    });
    expect(routed).toMatchObject({ ref: 'shop', client: '203.0.113.9' });
  });

  it('stores OAuth providers with the secret sealed, shows it masked, and hands enabled ones to the reloaded project', async () => {
    const secret = 'gh-client-secret-0123456789';
    await expect(backend.operations.update(parseAppName('shop'), { external: { google: { clientId: 'g-only' } } })).rejects.toThrow('needs a client id and a secret');
    const view = await backend.operations.update(parseAppName('shop'), { external: { github: { clientId: 'Iv1.shop', secret, url: 'https://ghe.example.com' } } });
    expect(view.external).toEqual({
      github: { enabled: true, clientId: 'Iv1.shop', secret: '…6789', url: 'https://ghe.example.com' },
      google: { enabled: false, clientId: null, secret: null, url: null },
    });
    expect(JSON.stringify(await backend.operations.describe(parseAppName('shop')))).not.toContain(secret);
    const rows = await db.sql`SELECT * FROM backend_oauth_providers`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sealed_secret).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect((await get('/backend/shop/rest/v1/x', { apikey: shop.anonKey })).body.providers).toEqual(['github']);
    await backend.operations.update(parseAppName('shop'), { external: { github: { enabled: false } } });
    expect((await get('/backend/shop/rest/v1/x', { apikey: shop.anonKey })).body.providers).toEqual([]);
    expect((await backend.operations.describe(parseAppName('shop'))).external.github).toMatchObject({ enabled: false, clientId: 'Iv1.shop', secret: '…6789' });
  });

  it('refuses an OAuth URL on this machine or its private networks (DevFlow calls it), unless the operator allows the host', async () => {
    for (const url of ['http://127.0.0.1:9000', 'http://169.254.169.254', 'http://[::1]', 'http://localhost:9000', 'https://10.0.0.9']) {
      await expect(backend.operations.update(parseAppName('blog'), { external: { github: { clientId: 'Iv1.blog', secret: 'gh-blog-secret-0000', url } } }))
        .rejects.toThrow(/(loopback, link-local or private address|this machine).*DEVFLOW_GIT_ALLOW_HOSTS/);
    }
    expect((await backend.operations.describe(parseAppName('blog'))).external.github).toEqual({ enabled: false, clientId: null, secret: null, url: null });
    // 10.0.0.8 is in this backend's DEVFLOW_GIT_ALLOW_HOSTS.
    const view = await backend.operations.update(parseAppName('blog'), { external: { github: { clientId: 'Iv1.blog', secret: 'gh-blog-secret-0000', url: 'https://10.0.0.8' } } });
    expect(view.external.github).toMatchObject({ enabled: true, url: 'https://10.0.0.8' });
    await backend.operations.update(parseAppName('blog'), { external: { github: { enabled: false, url: null } } });
  });

  it("refuses one project's keys on another project", async () => {
    const res = await get('/backend/blog/rest/v1/todos', { apikey: shop.serviceRoleKey });
    expect(res).toMatchObject({ status: 401, body: { message: 'Invalid API key' } });
    const bearer = await get('/backend/blog/rest/v1/todos', { apikey: blog.anonKey, authorization: `Bearer ${shop.serviceRoleKey}` });
    expect(bearer).toMatchObject({ status: 401, body: { code: 'PGRST301' } });
  });

  it("answers without a key with Supabase's 401, unless the project serves keyless requests as anon", async () => {
    expect(await get('/backend/shop/rest/v1/todos')).toMatchObject({ status: 401, body: { message: 'No API key found in request' } });
    await backend.operations.update(parseAppName('shop'), { keylessAnon: true });
    expect(await get('/backend/shop/rest/v1/todos')).toMatchObject({ status: 200, body: { db_role: 'anon' } });
    await backend.operations.update(parseAppName('shop'), { keylessAnon: false });
    expect((await get('/backend/shop/rest/v1/todos')).status).toBe(401);
  });

  it('answers CORS preflights before any key check, and unknown projects and prefixes with 404', async () => {
    const preflight = await fetch(`${base}/backend/shop/rest/v1/todos`, { method: 'OPTIONS', headers: {
      origin: 'http://shop.localhost:8080', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey, content-type',
    } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://shop.localhost:8080');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('apikey, content-type');
    expect((await get('/backend/nope/rest/v1/todos', { apikey: shop.anonKey })).status).toBe(404);
    expect(await get('/backend/shop/storage/v1/bucket', { apikey: shop.anonKey })).toMatchObject({ status: 404, body: { message: 'no Route matched with those values' } });
  });

  it('publishes the ES256 public key, without its private part', async () => {
    const res = await get('/backend/shop/auth/v1/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const keys = res.body.keys as Array<Record<string, unknown>>;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(keys[0]!.d).toBeUndefined();
  });

  it('adds one host per project to the routes and the SUPABASE_ variables to its processes', async () => {
    const routed = await backend.withRoutes({ domain: 'localhost', apps: [] });
    expect(routed.apps.map((a) => a.name).sort()).toEqual(['blog--api', 'shop--api']);
    const env = await backend.platformEnv({ forApp: async () => ({ DATABASE_URL: 'postgres://x' }) })
      .forApp({ id: 1, name: parseAppName('shop') });
    expect(env).toMatchObject({ SUPABASE_URL: 'http://127.0.0.1:7070/backend/shop', SUPABASE_ANON_KEY: shop.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: shop.serviceRoleKey, SUPABASE_DB_URL: 'postgres://x' });
  });

  it("gives a preview of an enabled app its own keys: the parent's keys do not open it", async () => {
    const [parent] = await db.sql`SELECT id FROM apps WHERE name = 'shop'`;
    const [preview] = await db.sql`INSERT INTO apps (name, parent_id) VALUES ('pv-0123456789ab', ${parent!.id}) RETURNING id`;
    const env = await backend.platformEnv({ forApp: async () => ({}) }).forApp({ id: preview!.id, name: 'pv-0123456789ab' as never });
    expect(env.SUPABASE_URL).toBe('http://127.0.0.1:7070/backend/pv-0123456789ab');
    expect(env.SUPABASE_ANON_KEY).not.toBe(shop.anonKey);
    expect((await get('/backend/pv-0123456789ab/rest/v1/x', { apikey: shop.serviceRoleKey })).status).toBe(401);
    const own = await get('/backend/pv-0123456789ab/rest/v1/x', { apikey: env.SUPABASE_SERVICE_ROLE_KEY! });
    expect(own.body).toMatchObject({ ref: 'pv-0123456789ab', db_role: 'service_role', database: expect.stringMatching(/^app_pv-0123456789ab_/) });
    const parentRequest = await get('/backend/shop/rest/v1/x', { apikey: env.SUPABASE_ANON_KEY! });
    expect(parentRequest.status).toBe(401);
  });

  it('loads a project on its first request only, and closes it when idle', async () => {
    const { ProjectRegistry } = await import('./projects.js');
    const server = new URL(db.url);
    const registry = new ProjectRegistry({
      sql: db.sql, serverUrl: db.url, secretKey: parseSecretKey('11'.repeat(32)), databases: new AppDatabases(db.sql, parseSecretKey('11'.repeat(32))),
      endpoint: { host: server.hostname, port: Number(server.port) }, urls: { domain: 'localhost', apiPort: 7070, httpsPort: 8443 },
      siteUrl: (app) => `http://${app}.localhost:8080`,
    });
    expect(registry.size).toBe(0);
    const loaded = (await registry.get('blog', 1_000))!;
    expect(loaded.project.keys.anonKey).toBe(blog.anonKey);
    expect(await registry.get('nope')).toBeUndefined();
    expect(registry.size).toBe(1);
    expect(await registry.closeIdle(60_000, 30_000)).toEqual([]);
    expect(await registry.closeIdle(60_000, 61_000)).toEqual(['blog']);
    expect(registry.size).toBe(0);
    await expect(loaded.project.sql`SELECT 1`).rejects.toMatchObject({ code: 'CONNECTION_ENDED' });
  });

  it('disables a backend without losing it: not served, routed or injected; enable brings back the same keys and database', async () => {
    const name = parseAppName('blog');
    const app = { id: (await db.sql`SELECT id FROM apps WHERE name = 'blog'`)[0]!.id as number, name };
    const env = backend.platformEnv({ forApp: async () => ({ DATABASE_URL: 'postgres://x' }) });
    const before = await get('/backend/blog/rest/v1/', { apikey: blog.anonKey });
    expect(before.status).toBe(200);
    expect(await env.forApp(app)).toMatchObject({ SUPABASE_ANON_KEY: blog.anonKey });

    expect(await backend.operations.disable(name)).toEqual({ changed: true });
    expect(await backend.operations.disable(name)).toEqual({ changed: false });
    const refused = await get('/backend/blog/rest/v1/', { apikey: blog.anonKey });
    expect(refused.status).toBe(404);
    expect(refused.body.message).toContain('no backend project "blog"');
    await expect(backend.operations.describe(name)).rejects.toThrow('the backend of blog is disabled (its data and keys are kept): `devflow backend:enable blog` turns it on again');
    await expect(backend.operations.functions.list(name)).rejects.toThrow('is disabled');
    const routed = (await backend.withRoutes({ domain: 'localhost', apps: [] })).apps.map((a) => a.name);
    expect(routed).toContain('shop--api');
    expect(routed).not.toContain('blog--api');
    expect(await env.forApp(app)).toEqual({ DATABASE_URL: 'postgres://x' });
    // Another project is untouched.
    expect((await get('/backend/shop/rest/v1/', { apikey: shop.anonKey })).status).toBe(200);

    const again = await backend.operations.enable(name);
    expect(again.turnedOn).toBe(true);
    expect(again.view.anonKey).toBe(blog.anonKey);
    expect(again.view.serviceRoleKey).toBe(blog.serviceRoleKey);
    const after = await get('/backend/blog/rest/v1/', { apikey: blog.anonKey });
    expect(after.status).toBe(200);
    expect(after.body.database).toBe(before.body.database);
    await expect(backend.operations.disable(parseAppName('nobackend'))).rejects.toThrow();
  });

  async function backendSecret(): Promise<string> {
    const { openSecret } = await import('../core/secrets.js');
    const [row] = await db.sql`SELECT b.sealed_jwt_secret FROM backend_projects b JOIN apps a ON a.id = b.app_id WHERE a.name = 'shop'`;
    return openSecret(parseSecretKey('11'.repeat(32)), row!.sealed_jwt_secret);
  }
});
