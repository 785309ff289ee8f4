/**
 * Issue 16, the app backend end to end: a real DevFlow (`devflow up` as a child process),
 * `devflow backend:enable`, keys read with the CLI's --json, and @supabase/supabase-js from npm,
 * unmodified, against the printed URL from this Node process: sign-up, row-level security per
 * user, another project's keys refused, the host form through the router, an app deployed with
 * git push reading and writing through the injected variables, and keys and sessions that
 * survive a restart of DevFlow.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../core/store/database.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample } from '../support/git.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/supabase-todos');

interface ClientSettings {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
}

const SCHEMA = `
  CREATE TABLE todos (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id uuid DEFAULT auth.uid() REFERENCES auth.users (id) ON DELETE CASCADE,
    title text NOT NULL
  );
  ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own ON todos FOR ALL TO authenticated USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());
`;

const client = (s: { url: string }, key: string): SupabaseClient =>
  // Node 20 has no WebSocket of its own; supabase-js's realtime client asks for one at creation.
  createClient(s.url, key, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws as never } });

/** A request through the router's HTTP port with a Host header (Node cannot resolve *.localhost). */
function viaRouter(port: number, host: string, urlPath: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, headers: { ...headers, host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('the app backend with supabase-js (process runtime)', () => {
  let devflow: DevflowProcess;
  let shop: ClientSettings;
  let other: ClientSettings;
  let adaSession: { access_token: string; refresh_token: string };

  const settingsOf = async (app: string): Promise<ClientSettings> =>
    JSON.parse((await devflow.cli(['backend', app, '--json'])).stdout) as ClientSettings;

  beforeAll(async () => {
    // The OAuth test's GitHub Enterprise stand-in listens on 127.0.0.1, which DevFlow refuses to call unless allowed.
    devflow = await startDevflowProcess({ runtime: 'process', env: { DEVFLOW_GIT_ALLOW_HOSTS: '127.0.0.1' } });
    await devflow.cli(['apps:create', 'shop']);
    await devflow.cli(['apps:create', 'other']);
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  it('backend:enable prints exactly url, anonKey and serviceRoleKey; `backend --json` prints the same', async () => {
    const before = await devflow.cli(['backend', 'shop'], { reject: false });
    expect(before.exitCode).not.toBe(0);
    expect(before.stderr).toContain('devflow backend:enable shop');
    shop = JSON.parse((await devflow.cli(['backend:enable', 'shop', '--json'])).stdout) as ClientSettings;
    expect(Object.keys(shop).sort()).toEqual(['anonKey', 'serviceRoleKey', 'url']);
    expect(shop.url).toBe(`http://127.0.0.1:${devflow.port}/backend/shop`);
    expect(await settingsOf('shop')).toEqual(shop);
    other = JSON.parse((await devflow.cli(['backend:enable', 'other', '--json'])).stdout) as ClientSettings;
    const database = await fetch(`${devflow.api}/api/v1/apps/shop/config/database`, { headers: { authorization: `Bearer ${devflow.token}` } });
    const owner = connect(((await database.json()) as { url: string }).url, 1);
    await owner.unsafe(SCHEMA);
    await owner.end();
  });

  it('two users each see only their own rows; anon sees none; the service role sees all', async () => {
    const ada = client(shop, shop.anonKey);
    const bob = client(shop, shop.anonKey);
    const signedUp = await ada.auth.signUp({ email: 'ada@example.com', password: 'correct horse 1' });
    expect(signedUp.error).toBeNull();
    expect((await bob.auth.signUp({ email: 'bob@example.com', password: 'correct horse 2' })).error).toBeNull();
    adaSession = signedUp.data.session!;
    expect((await ada.from('todos').insert({ title: 'ada 1' }).select('title')).data).toEqual([{ title: 'ada 1' }]);
    expect((await bob.from('todos').insert({ title: 'bob 1' })).error).toBeNull();
    expect((await ada.from('todos').select('title')).data).toEqual([{ title: 'ada 1' }]);
    expect((await bob.from('todos').select('title')).data).toEqual([{ title: 'bob 1' }]);
    expect((await client(shop, shop.anonKey).from('todos').select('title')).data).toEqual([]);
    expect((await client(shop, shop.serviceRoleKey).from('todos').select('title').order('id')).data).toEqual([{ title: 'ada 1' }, { title: 'bob 1' }]);
  });

  it("refuses another project's keys and user tokens", async () => {
    const wrongKey = await client(shop, other.anonKey).from('todos').select('title');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.error?.message).toBe('Invalid API key');
    const res = await fetch(`${other.url}/rest/v1/todos`, { headers: { apikey: other.anonKey, authorization: `Bearer ${adaSession.access_token}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'PGRST301' });
    const noKey = await fetch(`${shop.url}/rest/v1/todos`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ message: 'No API key found in request' });
  });

  it('serves the project on its own host through the router', async () => {
    const res = await viaRouter(devflow.httpPort, 'shop--api.localhost', '/rest/v1/todos?select=title&order=id', { apikey: shop.serviceRoleKey });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual([{ title: 'ada 1' }, { title: 'bob 1' }]);
    const app = await getViaRouter(devflow.httpPort, 'shop.localhost', '/');
    expect(app.body).not.toContain('ada 1');
  });

  it('serves the project on its own host over HTTPS too, with the certificate apps get', async () => {
    const res = await new Promise<{ status: number; body: string; cert: tls.PeerCertificate }>((resolve, reject) => {
      // The router's self-signed *.localhost certificate, no CA to check it against.
      https.get({ host: '127.0.0.1', port: devflow.httpsPort, servername: 'shop--api.localhost', path: '/rest/v1/todos?select=title&order=id',
        headers: { host: 'shop--api.localhost', apikey: shop.serviceRoleKey }, rejectUnauthorized: false, agent: false }, (response) => {
        const cert = (response.socket as tls.TLSSocket).getPeerCertificate();
        let body = '';
        response.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: response.statusCode ?? 0, body, cert }));
      }).on('error', reject);
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual([{ title: 'ada 1' }, { title: 'bob 1' }]);
    expect(res.cert.subjectaltname).toBe('DNS:*.localhost, DNS:localhost');
  });

  it('realtime: a user gets her own inserts as postgres_changes over the host form through the router (WebSocket upgrade)', async () => {
    const owner = connect(((await (await fetch(`${devflow.api}/api/v1/apps/shop/config/database`, { headers: { authorization: `Bearer ${devflow.token}` } })).json()) as { url: string }).url, 1);
    // As a Supabase app's migration does it: the app's own role adds its table to the publication.
    await owner.unsafe('ALTER PUBLICATION supabase_realtime ADD TABLE todos');
    await owner.end();
    // Node cannot resolve *.localhost: HTTP goes to the path form, and this transport takes the
    // WebSocket to the router's host form instead, naming the host as a browser would.
    const routerPort = devflow.httpPort;
    class ViaRouter extends ws {
      constructor(address: string | URL, protocols?: string | string[]) {
        const url = new URL(String(address));
        const path = url.pathname.replace(/^\/backend\/shop/, '');
        super(`ws://127.0.0.1:${routerPort}${path}${url.search}`, protocols, { headers: { host: 'shop--api.localhost' } });
      }
    }
    const ada = createClient(shop.url, shop.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ViaRouter as never },
    });
    await ada.auth.setSession(adaSession);
    const titles: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ada.channel('todos').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos' }, (p) => titles.push(String(p.new.title)))
        .subscribe((status, err) => (status === 'SUBSCRIBED' ? resolve() : status !== 'CLOSED' && reject(err ?? new Error(status))));
    });
    const bob = client(shop, shop.anonKey);
    await bob.auth.signInWithPassword({ email: 'bob@example.com', password: 'correct horse 2' });
    expect((await bob.from('todos').insert({ title: 'bob live' })).error).toBeNull();
    const adaRest = client(shop, shop.anonKey);
    await adaRest.auth.setSession(adaSession);
    expect((await adaRest.from('todos').insert({ title: 'ada live' })).error).toBeNull();
    for (let i = 0; i < 200 && titles.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(titles).toEqual(['ada live']);
    await ada.removeAllChannels();
    await client(shop, shop.serviceRoleKey).from('todos').delete().in('title', ['ada live', 'bob live']);
  });

  it('an app deployed with git push reads and writes through the injected SUPABASE_ variables; its functions/ folder deploys with it', async () => {
    const repo = await repoFromExample(EXAMPLE);
    // The form: a functions/ folder in the pushed repository (supabase/functions is read the same way).
    await fs.mkdir(path.join(repo.dir, 'functions', 'hello'), { recursive: true });
    await repo.write('functions/hello/index.ts', [
      'export default async (req: Request): Promise<Response> => {',
      '  const { name } = await req.json();',
      '  return Response.json({ message: `hello ${name}`, app: process.env.SUPABASE_URL !== undefined });',
      '};',
    ].join('\n'));
    await repo.commit('a function');
    const pushed = await pushTo(repo, devflow, 'shop');
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain('Function hello v1 deployed from functions/hello');
    const invoked = await client(shop, shop.anonKey).functions.invoke('hello', { body: { name: 'ada' } });
    expect(invoked.error).toBeNull();
    expect(invoked.data).toEqual({ message: 'hello ada', app: true });
    const env = JSON.parse((await getViaRouter(devflow.httpPort, 'shop.localhost', '/env')).body) as Record<string, unknown>;
    expect(env).toEqual({
      SUPABASE_URL: shop.url, NEXT_PUBLIC_SUPABASE_URL: shop.url, anonKeySet: true, serviceRoleKeySet: true, dbUrlSet: true,
    });
    expect(JSON.parse((await getViaRouter(devflow.httpPort, 'shop.localhost', '/add?title=from%20the%20app')).body)).toEqual([{ title: 'from the app' }]);
    expect(JSON.parse((await getViaRouter(devflow.httpPort, 'shop.localhost', '/')).body)).toEqual(['ada 1', 'bob 1', 'from the app']);
  });

  it('devflow functions:deploy sends a folder as a new function; devflow functions --json lists versions and invocations', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-fn-'));
    await fs.mkdir(path.join(dir, '_shared'));
    await fs.mkdir(path.join(dir, 'hi'));
    await fs.writeFile(path.join(dir, '_shared', 'greeting.ts'), "export const greeting = 'hi';\n");
    await fs.writeFile(path.join(dir, 'hi', 'index.ts'), "import { greeting } from '../_shared/greeting.ts';\nDeno.serve(() => new Response(greeting + ' from the CLI'));\n");
    const deployed = await devflow.cli(['functions:deploy', 'shop', 'hi', path.join(dir, 'hi')]);
    expect(deployed.stdout).toMatch(/^Deployed hi v1 to shop \(2 files; JWT verified\)/);
    const invoked = await client(shop, shop.anonKey).functions.invoke('hi', { method: 'GET' });
    expect(invoked.error).toBeNull();
    expect(invoked.data).toBe('hi from the CLI');
    const again = JSON.parse((await devflow.cli(['functions:deploy', 'shop', 'hi', path.join(dir, 'hi'), '--json'])).stdout) as { version: number };
    expect(again.version).toBe(1);
    // Invocations are counted once the answer is sent: read until the count shows them.
    type Listed = { name: string; version: number; invocations: number; errors: number };
    let listed: Listed[] = [];
    for (let i = 0; i < 50; i += 1) {
      listed = JSON.parse((await devflow.cli(['functions', 'shop', '--json'])).stdout) as Listed[];
      if (listed.every((f) => f.invocations === 1)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed.map(({ name, version, invocations, errors }) => ({ name, version, invocations, errors }))).toEqual([
      { name: 'hello', version: 1, invocations: 1, errors: 0 },
      { name: 'hi', version: 1, invocations: 1, errors: 0 },
    ]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('devflow backend:disable stops serving a backend and keeps it; backend:enable brings it back with the same keys', async () => {
    const disabled = await devflow.cli(['backend:disable', 'other']);
    expect(disabled.stdout).toContain('Backend disabled for other: its API answers 404');
    const refused = await client(other, other.anonKey).from('todos').select('title');
    expect(refused.status).toBe(404);
    const shown = await devflow.cli(['backend', 'other'], { reject: false });
    expect(shown.exitCode).not.toBe(0);
    expect(shown.stderr).toContain('the backend of other is disabled (its data and keys are kept): `devflow backend:enable other` turns it on again');
    expect((await devflow.cli(['backend:disable', 'other', '--json'])).stdout).toContain('"enabled": false');
    // shop is untouched.
    expect((await client(shop, shop.serviceRoleKey).from('todos').select('title')).status).toBe(200);
    expect(JSON.parse((await devflow.cli(['backend:enable', 'other', '--json'])).stdout)).toEqual(other);
    expect((await client(other, other.anonKey).auth.getSession()).error).toBeNull();
    const served = await fetch(`${other.url}/rest/v1/`, { headers: { apikey: other.anonKey } });
    expect(served.status).not.toBe(404);
  });

  it('after `devflow up` stops and starts, keys, users and sessions are still valid', async () => {
    await devflow.restart();
    expect(await settingsOf('shop')).toEqual(shop);
    const ada = client(shop, shop.anonKey);
    const user = await ada.auth.getUser(adaSession.access_token);
    expect(user.data.user?.email).toBe('ada@example.com');
    const refreshed = await ada.auth.refreshSession({ refresh_token: adaSession.refresh_token });
    expect(refreshed.error).toBeNull();
    expect((await ada.from('todos').select('title')).data).toEqual([{ title: 'ada 1' }]);
    const signIn = await client(shop, shop.anonKey).auth.signInWithPassword({ email: 'bob@example.com', password: 'correct horse 2' });
    expect(signIn.error).toBeNull();
  });
  it('confirmation on through backend:set: a supabase-js sign-up gets no session; backend:mail shows the mail, whose link confirms the user', async () => {
    expect((await devflow.cli(['backend:set', 'shop', 'autoconfirm=off'])).stdout).toContain('mailerAutoconfirm=false');
    const carol = client(shop, shop.anonKey);
    const signedUp = await carol.auth.signUp({ email: 'carol@example.com', password: 'correct horse 3' });
    expect(signedUp.error).toBeNull();
    expect(signedUp.data.session).toBeNull();
    expect((await carol.auth.signInWithPassword({ email: 'carol@example.com', password: 'correct horse 3' })).error).toMatchObject({ code: 'email_not_confirmed' });
    const text = (await devflow.cli(['backend:mail', 'shop'])).stdout;
    expect(text).toContain('to carol@example.com');
    const listed = JSON.parse((await devflow.cli(['backend:mail', 'shop', '--json'])).stdout) as { delivery: string; mails: Array<{ recipients: string[]; subject: string; text: string }> };
    expect(listed.delivery).toBe('catcher');
    const mail = listed.mails.find((m) => m.recipients.includes('carol@example.com'))!;
    expect(mail.subject).toBe('Confirm your signup');
    const link = /(http:\/\/\S+\/auth\/v1\/verify\?\S+)/.exec(mail.text)![1]!;
    // A browser following the link sends no key; the gateway serves it and redirects with tokens.
    const followed = await fetch(link, { redirect: 'manual' });
    expect(followed.status).toBe(303);
    expect(new URLSearchParams(new URL(followed.headers.get('location')!).hash.slice(1)).get('type')).toBe('signup');
    const signedIn = await carol.auth.signInWithPassword({ email: 'carol@example.com', password: 'correct horse 3' });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user?.email_confirmed_at).toBeTruthy();
    await devflow.cli(['backend:set', 'shop', 'autoconfirm=on']);
  });

  it('OAuth through backend:set: a GitHub client (secret masked), enabled in /auth/v1/settings, signs in through a local GitHub Enterprise stand-in', async () => {
    // The one stand-in: GitHub cannot be reached here. It plays a GitHub Enterprise Server's
    // authorize, token and /api/v3 user endpoints and checks the client id, secret and code.
    const codes = new Set<string>();
    const standIn = http.createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const send = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/login/oauth/authorize') {
        if (url.searchParams.get('client_id') !== 'Iv1.shop') return send(400, { error: 'unknown client' });
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.searchParams.set('code', 'code-1');
        back.searchParams.set('state', url.searchParams.get('state')!);
        codes.add('code-1');
        return res.writeHead(302, { Location: back.toString() }).end();
      }
      if (url.pathname === '/login/oauth/access_token') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const form = new URLSearchParams(body);
        if (form.get('client_secret') !== 'gh-secret-0123456789' || !codes.delete(form.get('code') ?? '')) return send(400, { error: 'bad_verification_code' });
        return send(200, { access_token: 'gho-token', token_type: 'bearer' });
      }
      if (req.headers.authorization !== 'Bearer gho-token') return send(401, { message: 'Bad credentials' });
      if (url.pathname === '/api/v3/user') return send(200, { id: 77, login: 'dora', name: 'Dora' });
      if (url.pathname === '/api/v3/user/emails') return send(200, [{ email: 'dora@example.com', primary: true, verified: true }]);
      return send(404, {});
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    try {
      const ghe = `http://127.0.0.1:${(standIn.address() as { port: number }).port}`;
      const set = await devflow.cli(['backend:set', 'shop', 'external_github_client_id=Iv1.shop', 'external_github_secret=gh-secret-0123456789', `external_github_url=${ghe}`]);
      expect(set.stdout).toMatch(/OAuth github: +enabled, client id Iv1\.shop, secret …6789/);
      expect(set.stdout).not.toContain('gh-secret-0123456789');
      const api = await fetch(`${devflow.api}/api/v1/apps/shop/backend`, { headers: { authorization: `Bearer ${devflow.token}` } });
      const apiText = await api.text();
      expect(apiText).not.toContain('gh-secret-0123456789');
      expect(JSON.parse(apiText).external.github).toEqual({ enabled: true, clientId: 'Iv1.shop', secret: '…6789', url: ghe });
      const settings = await (await fetch(`${shop.url}/auth/v1/settings`, { headers: { apikey: shop.anonKey } })).json() as { external: Record<string, boolean> };
      expect(settings.external).toMatchObject({ github: true, google: false });
      const dora = createClient(shop.url, shop.anonKey, { auth: { persistSession: true, autoRefreshToken: false, flowType: 'pkce' }, realtime: { transport: ws as never } });
      const started = await dora.auth.signInWithOAuth({ provider: 'github', options: { redirectTo: 'http://localhost:3000/cb', skipBrowserRedirect: true } });
      expect(started.error).toBeNull();
      // A browser: DevFlow's /authorize → the stand-in → DevFlow's /callback → the app with ?code=.
      let next = started.data.url!;
      for (let hop = 0; hop < 4 && !next.startsWith('http://localhost:3000'); hop++) {
        const response = await fetch(next, { redirect: 'manual' });
        expect([302, 303]).toContain(response.status);
        next = response.headers.get('location')!;
      }
      const code = new URL(next).searchParams.get('code')!;
      const session = await dora.auth.exchangeCodeForSession(code);
      expect(session.error).toBeNull();
      expect(session.data.user).toMatchObject({ email: 'dora@example.com', app_metadata: { provider: 'github' } });
    } finally {
      standIn.closeAllConnections();
      standIn.close();
    }
  });
});

describe('the app backend on the docker runtime', () => {
  let devflow: DevflowProcess;

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime: 'docker' });
    await devflow.cli(['apps:create', 'shop']);
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  it('enabling the backend of a running app releases it again, and its container reads and writes through supabase-js', async () => {
    const pushed = await pushTo(await repoFromExample(EXAMPLE), devflow, 'shop');
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    const before = JSON.parse((await getViaRouter(devflow.httpPort, 'shop.localhost', '/env')).body) as Record<string, unknown>;
    expect(before).toMatchObject({ anonKeySet: false, serviceRoleKeySet: false });
    expect(before.SUPABASE_URL).toBeUndefined();

    // The app already has its table (made before it had a backend): enabling grants it to the
    // backend's roles, so the release made at enable time finds it.
    const database = await fetch(`${devflow.api}/api/v1/apps/shop/config/database`, { headers: { authorization: `Bearer ${devflow.token}` } });
    const settings = (await database.json()) as { url: string; host: string };
    // The URL is the one containers use (the bridge's address); from this test, the loopback one.
    const owner = connect(settings.url.replace(`@${settings.host}:`, '@127.0.0.1:'), 1);
    await owner.unsafe('CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL)');
    await owner.end();

    const enabled = await devflow.cli(['backend:enable', 'shop']);
    expect(enabled.stdout).toMatch(/Released v2: its processes now have SUPABASE_URL/);
    const shop = JSON.parse((await devflow.cli(['backend', 'shop', '--json'])).stdout) as ClientSettings;

    const env = JSON.parse((await getViaRouter(devflow.httpPort, 'shop.localhost', '/env')).body) as { SUPABASE_URL: string };
    // A container reaches DevFlow at the Docker bridge's gateway, not at the 127.0.0.1 the CLI prints.
    expect(env).toMatchObject({ anonKeySet: true, serviceRoleKeySet: true, dbUrlSet: true });
    expect(env.SUPABASE_URL).toMatch(new RegExp(`^http://\\d+\\.\\d+\\.\\d+\\.\\d+:${devflow.port}/backend/shop$`));
    expect(env.SUPABASE_URL).not.toBe(shop.url);
    const added = await getViaRouter(devflow.httpPort, 'shop.localhost', '/add?title=from%20a%20container');
    expect(added.body).toBe(JSON.stringify([{ title: 'from a container' }]));
    expect((await client(shop, shop.serviceRoleKey).from('todos').select('title')).data).toEqual([{ title: 'from a container' }]);
    const releases = await devflow.cli(['releases', 'shop']);
    expect(releases.stdout).toContain('Backend enabled');
  });

  it("meters the app's containers and builds: devflow usage (issue 20)", async () => {
    const usage = JSON.parse((await devflow.cli(['usage', 'shop', '--json'])).stdout) as { instanceSeconds: Record<string, number>; buildSeconds: number; month: string };
    expect(usage.month).toBe(new Date().toISOString().slice(0, 7));
    expect(usage.instanceSeconds.standard).toBeGreaterThan(0);
    expect(usage.buildSeconds).toBeGreaterThan(0);
    const bad = await devflow.cli(['usage', 'shop', '--month', '2026-13'], { reject: false });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('"2026-13" is not a month: write it as YYYY-MM, e.g. 2026-12');
  });
});
