/**
 * Functions end to end inside one process, judged by @supabase/supabase-js from npm: the real
 * gateway (keys, JWT) on two real project databases, functions deployed from source, invoked
 * with `supabase.functions.invoke` and run in real worker processes with their limits.
 */
import fs from 'node:fs/promises';
import { execFile } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { readFunctionsVariables } from '../../core/settings.js';
import { parseAppName } from '../../core/names.js';
import { parseSecretKey } from '../../core/secrets.js';
import { AppDatabases } from '../../core/store/app-databases.js';
import { createApp, type AppRecord } from '../../core/store/apps.js';
import { replaceConfigVars } from '../../core/store/config-vars.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { createBackend, type Backend, type BackendView } from '../index.js';
import { findBackendRecord } from '../store.js';
import { createFunctions, type Functions } from './index.js';

const TIME_LIMIT_MS = 3000;
const WORKER_UID = readFunctionsVariables({}).uid!;
/** Node 20 has no WebSocket: realtime-js needs ws even when only Functions are used. */
const CLIENT_OPTIONS = { auth: { persistSession: false }, realtime: { transport: ws as never } };

/** Each function's folder, as a developer would write it. */
const SOURCES: Record<string, string> = {
  hello: `
    interface Greeting { name: string }
    export default async (req: Request): Promise<Response> => {
      const { name } = (await req.json()) as Greeting;
      console.log('greeting', name);
      return Response.json({ message: \`Hello \${name}\`, pid: process.pid, auth: req.headers.get('authorization') !== null });
    };`,
  deno: `
    Deno.serve(async (req: Request) => new Response(JSON.stringify({
      url: Deno.env.get('SUPABASE_URL'), path: new URL(req.url).pathname, method: req.method,
    }), { headers: { 'Content-Type': 'application/json' } }));`,
  open: `export default () => new Response('open to all', { headers: { 'content-type': 'text/plain' } });`,
  throws: `export default () => { throw new Error('boom 42'); };`,
  loop: `export default () => { for (;;) {} };`,
  hog: `export default () => { const kept: number[][] = []; for (;;) kept.push(new Array(1_000_000).fill(7)); };`,
  snoop: `
    import fs from 'node:fs';
    const attempt = (f: () => unknown) => { try { return String(f()).slice(0, 40); } catch (e) { return (e as { code?: string }).code ?? 'error'; } };
    export default async (req: Request) => {
      const { pid, file } = await req.json();
      return Response.json({
        secret: Deno.env.get('BLOG_SECRET') ?? null,
        env: Object.keys(process.env).sort(),
        environ: attempt(() => fs.readFileSync(\`/proc/\${pid}/environ\`, 'utf8')),
        bundle: attempt(() => fs.readFileSync(file, 'utf8')),
      });
    };`,
  secret: `export default () => Response.json({ secret: Deno.env.get('BLOG_SECRET'), pid: process.pid });`,
  reach: `
    import net from 'node:net';
    import postgres from 'postgres';
    const connect = (options: net.NetConnectOpts) => new Promise<string>((resolve) => {
      const socket = net.connect(options);
      socket.on('connect', () => { socket.destroy(); resolve('connected'); });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(\`\${e.code}: \${e.message}\`));
    });
    const query = async (url: string) => {
      const sql = postgres(url, { max: 1, connect_timeout: 30, onnotice: () => {} });
      try {
        const [row] = await sql\`SELECT current_user AS role, current_database() AS database\`;
        return { ...row };
      } catch (e) {
        return { error: (e as Error).message };
      } finally {
        await sql.end({ timeout: 1 });
      }
    };
    export default async (req: Request) => {
      const { internalPort, socketPath, otherDatabase } = await req.json();
      const own = Deno.env.get('SUPABASE_DB_URL')!;
      const other = new URL(own);
      other.pathname = '/' + otherDatabase;
      const api = await fetch(\`\${Deno.env.get('SUPABASE_URL')}/functions/v1/missing\`, { headers: { apikey: Deno.env.get('SUPABASE_ANON_KEY')! } });
      return Response.json({
        internal: await connect({ host: '127.0.0.1', port: internalPort }),
        internalByName: await connect({ host: 'localhost', port: internalPort, family: 4 }),
        localSocket: await connect({ path: socketPath }),
        ownDatabase: await query(own),
        otherDatabase: await query(other.href),
        api: { status: api.status, body: await api.json() },
        public: await connect({ host: 'registry.npmjs.org', port: 443 }),
      });
    };`,
};

/** The files of the `postgres` package, uploaded beside a function as its node_modules. */
async function postgresPackage(): Promise<{ path: string; content: Buffer }[]> {
  const dir = path.join(import.meta.dirname, '../../node_modules/postgres');
  const names = ['package.json', ...(await fs.readdir(path.join(dir, 'src'))).map((f) => `src/${f}`)];
  return Promise.all(names.map(async (name) => ({ path: `node_modules/postgres/${name}`, content: await fs.readFile(path.join(dir, name)) })));
}

describe('functions through supabase-js', () => {
  let db: TestDatabase;
  let home: string;
  let functions: Functions;
  let backend: Backend;
  let server: http.Server;
  let base: string;
  let shop: BackendView;
  let blog: BackendView;
  let shopApp: AppRecord;
  let supabase: SupabaseClient;
  let databases: AppDatabases;
  let blogAppId: number;

  /** Deploys through the backend's API operations, as `devflow functions:deploy` does. */
  const deploy = async (app: AppRecord, name: string, verifyJwt = true) =>
    backend.operations.functions.deploy(app.name, name, { files: [{ path: 'index.ts', content: Buffer.from(SOURCES[name]!) }], verifyJwt });

  beforeAll(async () => {
    db = await createTestDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-functions-'));
    server = http.createServer((req, res) => {
      if (!backend.handle(req, res)) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    // The served instance has short limits; the backend's own (deploy, list, logs) shares its folder and rows.
    // Workers run as the default workers' uid, with its firewall, as under a root `devflow up`.
    functions = createFunctions({ sql: db.sql, root: path.join(home, 'functions'), limits: { timeLimitMs: TIME_LIMIT_MS, memoryMb: 64 }, uid: WORKER_UID });
    const secretKey = parseSecretKey('22'.repeat(32));
    databases = new AppDatabases(db.sql, secretKey);
    backend = createBackend({
      sql: db.sql, serverUrl: db.url, secretKey, databases,
      config: { ...loadConfig({}), home, port, httpsPort: 8443 }, runtime: 'process', docker: undefined,
      log: () => {}, services: async () => [functions.service],
    });
    shopApp = await createApp(db.sql, parseAppName('shop'));
    const blogApp = await createApp(db.sql, parseAppName('blog'));
    blogAppId = blogApp.id;
    await replaceConfigVars(db.sql, blogApp.id, { BLOG_SECRET: 'blog-only-value' });
    shop = (await backend.operations.enable(parseAppName('shop'))).view;
    blog = (await backend.operations.enable(parseAppName('blog'))).view;
    for (const name of ['hello', 'deno', 'throws', 'loop', 'hog', 'snoop']) await deploy(shopApp, name);
    await deploy(shopApp, 'open', false);
    await deploy(blogApp, 'secret');
    await backend.operations.functions.deploy(shopApp.name, 'reach', {
      files: [{ path: 'index.ts', content: Buffer.from(SOURCES.reach!) }, ...(await postgresPackage())], verifyJwt: true,
    });
    supabase = createClient(`${base}/backend/shop`, shop.anonKey, CLIENT_OPTIONS);
  });

  afterAll(async () => {
    await functions?.close();
    await backend?.close();
    server?.close();
    await db?.drop();
    if (home) await fs.rm(home, { recursive: true, force: true });
  });

  const errorOf = async (error: unknown) => {
    expect(error).toBeInstanceOf(FunctionsHttpError);
    const response = (error as FunctionsHttpError).context as Response;
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('invokes a TypeScript function with a JSON body, and a second call reuses the warm worker', async () => {
    const first = await supabase.functions.invoke('hello', { body: { name: 'Ada' } });
    expect(first.error).toBeNull();
    expect(first.data).toMatchObject({ message: 'Hello Ada', auth: true });
    const second = await supabase.functions.invoke('hello', { body: { name: 'Bo' } });
    expect(second.data).toMatchObject({ message: 'Hello Bo', pid: first.data.pid });
    expect(first.data.pid).not.toBe(process.pid);
  });

  it('runs the Deno.serve shape unchanged, with the function name leading the path it sees', async () => {
    const { data, error } = await supabase.functions.invoke('deno/items?x=1', { method: 'GET' });
    expect(error).toBeNull();
    expect(data).toEqual({ url: `${base}/backend/shop`, path: '/deno/items', method: 'GET' });
  });

  it('answers CORS preflights and marks answers for browsers', async () => {
    const preflight = await fetch(`${base}/backend/shop/functions/v1/hello`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, x-client-info, apikey, content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-client-info/);
    const call = await fetch(`${base}/backend/shop/functions/v1/open`, { headers: { origin: 'http://app.test' } });
    expect(call.headers.get('access-control-allow-origin')).toBeTruthy();
  });

  it('requires a valid JWT of the project unless the function opts out', async () => {
    const bare = await fetch(`${base}/backend/shop/functions/v1/hello`, { method: 'POST', body: '{}' });
    expect(bare.status).toBe(401);
    const forged = await supabase.functions.invoke('hello', { body: { name: 'x' }, headers: { Authorization: 'Bearer not.a.jwt' } });
    expect(await errorOf(forged.error)).toEqual({ status: 401, body: { message: 'Invalid JWT' } });
    const foreign = createClient(`${base}/backend/shop`, blog.anonKey, CLIENT_OPTIONS);
    expect((await errorOf((await foreign.functions.invoke('hello', { body: { name: 'x' } })).error)).status).toBe(401);

    const open = await fetch(`${base}/backend/shop/functions/v1/open`, { headers: { authorization: 'Bearer not.a.jwt' } });
    expect({ status: open.status, body: await open.text() }).toEqual({ status: 200, body: 'open to all' });
  });

  it("passes a signed-in user's token to the function", async () => {
    const token = await userToken();
    const { data, error } = await supabase.functions.invoke('hello', { body: { name: 'U' }, headers: { Authorization: `Bearer ${token}` } });
    expect(error).toBeNull();
    expect(data).toMatchObject({ message: 'Hello U', auth: true });
  });

  it("answers 500 when a function throws, and its error is in the function's log", async () => {
    const { error } = await supabase.functions.invoke('throws');
    const { status, body } = await errorOf(error);
    expect(status).toBe(500);
    expect(body.code).toBe('FUNCTION_ERROR');
    const lines = await functions.logs(shopApp.id, 'throws');
    const thrown = lines.find((l) => l.stream === 'stderr' && l.line.includes('Error: boom 42'));
    expect(thrown?.invocation).toBeTruthy();
    expect(lines.find((l) => l.stream === 'system' && l.invocation === thrown!.invocation)?.line).toMatch(/^POST \/throws 500 in \d+ ms/);
    expect((await backend.operations.functions.list(shopApp.name)).find((f) => f.name === 'throws')).toMatchObject({ invocations: 1, errors: 1 });
  });

  it('stops a looping function at its time limit with a clear answer, and keeps serving', async () => {
    const { error } = await supabase.functions.invoke('loop');
    expect(await errorOf(error)).toEqual({
      status: 504, body: { code: 'WORKER_TIMEOUT', message: `function loop ran past its time limit of ${TIME_LIMIT_MS} ms and was stopped` },
    });
    expect((await supabase.functions.invoke('hello', { body: { name: 'after' } })).data).toMatchObject({ message: 'Hello after' });
    expect((await functions.list(shopApp.id)).find((f) => f.name === 'loop')).toMatchObject({ invocations: 1, errors: 1 });
  });

  it('stops a function at its memory limit: its worker dies and the caller is told', async () => {
    const { error } = await supabase.functions.invoke('hog');
    const { status, body } = await errorOf(error);
    expect({ status, code: body.code }).toEqual({ status: 546, code: 'WORKER_LIMIT' });
    const lines = await functions.logs(shopApp.id, 'hog');
    expect(lines.some((l) => /heap out of memory/i.test(l.line))).toBe(true);
  });

  it("keeps one project's env, files and processes out of another project's function", async () => {
    const blogClient = createClient(`${base}/backend/blog`, blog.anonKey, CLIENT_OPTIONS);
    const { data: blogData } = await blogClient.functions.invoke('secret');
    expect(blogData.secret).toBe('blog-only-value');
    const file = path.join(home, 'functions', 'blog', 'secret', 'v1', 'dist', 'index.mjs');
    const { data } = await supabase.functions.invoke('snoop', { body: { pid: blogData.pid, file } });
    expect(data).toEqual({
      secret: null, env: ['SUPABASE_ANON_KEY', 'SUPABASE_DB_URL', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_URL'],
      environ: 'ERR_ACCESS_DENIED', bundle: 'ERR_ACCESS_DENIED',
    });
  });

  it("reaches its own database, its SUPABASE_URL and public hosts, and nothing internal: not another project's database, a loopback port or a local socket", async () => {
    const internal = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    const internalPort = (internal.address() as AddressInfo).port;
    const socketPath = path.join(home, 'internal.sock');
    const local = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => local.listen(socketPath, resolve));
    const own = (await databases.find(shopApp.id))!;
    const other = (await databases.find(blogAppId))!;
    try {
      const { data, error } = await supabase.functions.invoke('reach', { body: { internalPort, socketPath, otherDatabase: other.database } });
      expect(error).toBeNull();
      const refused = `ERR_FUNCTION_NETWORK: functions may not connect to 127.0.0.1:${internalPort}: loopback and private addresses are DevFlow's and other projects'; a function reaches public addresses and SUPABASE_URL (127.0.0.1:${(server.address() as AddressInfo).port}), SUPABASE_DB_URL (127.0.0.1:${new URL(db.url).port})`;
      expect(data).toEqual({
        internal: refused,
        internalByName: `ERR_FUNCTION_NETWORK: localhost: ${refused.slice('ERR_FUNCTION_NETWORK: '.length)}`,
        localSocket: `ERR_FUNCTION_NETWORK: functions may not connect to local sockets (${socketPath})`,
        ownDatabase: { role: own.role, database: own.database },
        otherDatabase: { error: expect.stringMatching(/permission denied for database/) },
        api: { status: 404, body: { code: 'NOT_FOUND', message: 'Requested function was not found' } },
        public: 'connected',
      });
    } finally {
      internal.close();
      local.close();
    }
  });

  it.runIf(process.getuid?.() === 0)("keeps the workers' uid from internal ports and root's sockets in the kernel too, where Node's guard is not asked", async () => {
    // A plain node as the workers' uid, without the guard: what function code that went around Node's net would meet.
    const internal = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    const internalPort = (internal.address() as AddressInfo).port;
    const probe = (options: object) => new Promise<string>((resolve) => {
      const script = `const s = require('net').connect(${JSON.stringify(options)}); s.on('connect', () => { console.log('connected'); s.destroy(); }); s.on('error', (e) => console.log(e.code));`;
      execFile(process.execPath, ['-e', script], { uid: WORKER_UID, gid: WORKER_UID, cwd: '/' }, (_err, stdout) => resolve(stdout.trim()));
    });
    try {
      expect(await probe({ host: '127.0.0.1', port: internalPort })).toBe('ECONNREFUSED');
      expect(await probe({ host: '127.0.0.1', port: Number(new URL(db.url).port) })).toBe('connected');
      expect(await probe({ host: '127.0.0.1', port: (server.address() as AddressInfo).port })).toBe('connected');
      if (await fs.stat('/var/run/docker.sock').then(() => true, () => false)) expect(await probe({ path: '/var/run/docker.sock' })).toBe('EACCES');
    } finally {
      internal.close();
    }
  });

  it("keeps console lines with the invocation that wrote them", async () => {
    await supabase.functions.invoke('hello', { body: { name: 'logged' } });
    const lines = await functions.logs(shopApp.id, 'hello');
    const greeting = lines.find((l) => l.line === 'greeting logged');
    expect(greeting).toMatchObject({ stream: 'stdout', version: 1 });
    expect(greeting?.invocation).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('deploys a new version that the next invocation serves, and refuses apps without a backend', async () => {
    await backend.operations.functions.deploy(shopApp.name, 'open', { files: [{ path: 'index.js', content: Buffer.from("export default () => new Response('v2')") }], verifyJwt: false });
    expect((await supabase.functions.invoke('open')).data).toBe('v2');
    expect((await backend.operations.functions.list(shopApp.name)).find((f) => f.name === 'open')).toMatchObject({ version: 2, verifyJwt: false });
    const plain = await createApp(db.sql, parseAppName('plain'));
    await expect(deploy(plain, 'hello')).rejects.toThrow(/has no backend/);
    await expect(backend.operations.functions.deploy(shopApp.name, 'broken', { files: [{ path: 'index.ts', content: Buffer.from('export default (') }], verifyJwt: true }))
      .rejects.toThrow(/failed to build: .*index.ts:1/);
  });

  it("deploys a pushed tree's supabase/functions with each release, _shared imports and config.toml's verify_jwt included", async () => {
    const tree = path.join(home, 'tree');
    const write = async (file: string, text: string) => {
      await fs.mkdir(path.dirname(path.join(tree, file)), { recursive: true });
      await fs.writeFile(path.join(tree, file), text);
    };
    await write('supabase/functions/_shared/cors.ts', "export const corsHeaders = { 'Access-Control-Allow-Origin': '*' };");
    await write('supabase/functions/greet/index.ts', "import { corsHeaders } from '../_shared/cors.ts';\nDeno.serve(() => new Response('hi from the repo', { headers: corsHeaders }));");
    await write('supabase/functions/notes.md', 'not a function');
    await write('supabase/config.toml', '[functions.greet]\nverify_jwt = false\n');
    const lines: string[] = [];
    await backend.sourceHook.beforeRelease(shopApp, tree, { line: (l) => lines.push(l) });
    expect(lines).toEqual(['-----> Function greet v1 deployed from supabase/functions/greet (verify_jwt = false)']);
    await backend.sourceHook.beforeRelease(shopApp, tree, { line: (l) => lines.push(l) });
    expect(lines[1]).toBe('-----> Function greet v1 unchanged from supabase/functions/greet (verify_jwt = false)');
    const bare = await fetch(`${base}/backend/shop/functions/v1/greet`);
    expect({ status: bare.status, body: await bare.text() }).toEqual({ status: 200, body: 'hi from the repo' });

    const plain = await createApp(db.sql, parseAppName('plain2'));
    const skipped: string[] = [];
    await backend.sourceHook.beforeRelease(plain, tree, { line: (l) => skipped.push(l) });
    expect(skipped).toEqual(['-----> supabase/functions/ holds functions, but plain2 has no backend: `devflow backend:enable plain2` deploys them']);
  });

  it('answers 404 for a function that is not deployed', async () => {
    const { error } = await supabase.functions.invoke('missing');
    expect(await errorOf(error)).toEqual({ status: 404, body: { code: 'NOT_FOUND', message: 'Requested function was not found' } });
  });

  async function userToken(): Promise<string> {
    const record = await findBackendRecord(db.sql, parseSecretKey('22'.repeat(32)), shopApp.id);
    return new SignJWT({ role: 'authenticated', sub: '44444444-4444-4444-4444-444444444444', aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(record!.keys.jwtSecret));
  }
});
