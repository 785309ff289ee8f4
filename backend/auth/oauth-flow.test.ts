/**
 * OAuth sign-in with GitHub and Google through supabase-js (PKCE and implicit flows).
 *
 * The one stand-in of this suite: GitHub and Google cannot be reached from these machines, so a
 * small local server plays the provider's three endpoints (authorize, token, user info) with
 * the same request and response shapes, and checks what a real provider checks (client id and
 * secret, the redirect URI, a one-time code). Everything else (the auth service, the database,
 * the client) is real.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthProviderConfig } from './oauth.js';
import { startAuthTestServer, supabaseClient, type AuthTestServer } from './test-support.js';

interface StandIn {
  url: string;
  /** The profile the next sign-in returns. */
  profile: Record<string, unknown>;
  emails: Record<string, unknown>[];
  close(): Promise<void>;
}

const CLIENT = { id: 'client-id-1', secret: 'client-secret-1' };

async function startProviderStandIn(): Promise<StandIn> {
  const codes = new Map<string, string>();
  const tokens = new Set<string>();
  const standIn = { profile: {} as Record<string, unknown>, emails: [] as Record<string, unknown>[] };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/authorize') {
      // The user "approves" at once: back to the redirect URI with a code and the state.
      if (url.searchParams.get('client_id') !== CLIENT.id) return send(400, { error: 'unknown client' });
      const code = `code-${codes.size + 1}`;
      codes.set(code, url.searchParams.get('redirect_uri')!);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      return res.writeHead(302, { Location: back.toString() }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const form = new URLSearchParams(text);
      const redirect = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (form.get('client_secret') !== CLIENT.secret || !redirect || redirect !== form.get('redirect_uri')) return send(400, { error: 'bad_verification_code' });
      const token = `token-${tokens.size + 1}`;
      tokens.add(token);
      return send(200, { access_token: token, token_type: 'bearer', scope: 'user:email' });
    }
    if (!tokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) return send(401, { message: 'Bad credentials' });
    if (url.pathname === '/user') return send(200, standIn.profile);
    if (url.pathname === '/user/emails') return send(200, standIn.emails);
    return send(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(standIn, {
    url,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
}

let provider: StandIn;
let t: AuthTestServer;

beforeAll(async () => {
  provider = await startProviderStandIn();
  const endpoints = { authorize: `${provider.url}/authorize`, token: `${provider.url}/token`, userinfo: `${provider.url}/user` };
  const configs: OAuthProviderConfig[] = [
    { provider: 'github', clientId: CLIENT.id, clientSecret: CLIENT.secret, endpoints: { ...endpoints, emails: `${provider.url}/user/emails` } },
    { provider: 'google', clientId: CLIENT.id, clientSecret: CLIENT.secret, endpoints },
  ];
  t = await startAuthTestServer({ service: { mailer: { send: async () => {} }, providers: () => configs } });
});
afterAll(async () => {
  await t?.close();
  await provider?.close();
});

/** Follows redirects as a browser would, until one leaves for the app's URL. */
async function browse(start: string, appOrigin: string): Promise<URL> {
  let next = start;
  for (let hops = 0; hops < 5; hops++) {
    const response = await fetch(next, { redirect: 'manual' });
    expect([302, 303]).toContain(response.status);
    next = response.headers.get('location')!;
    if (next.startsWith(appOrigin)) return new URL(next);
  }
  throw new Error('too many redirects');
}

describe('OAuth providers (against a local stand-in)', () => {
  it('GitHub with PKCE: the callback lands on the app with ?code=, traded for a session with a github identity', async () => {
    provider.profile = { id: 4242, login: 'ada', name: 'Ada L', avatar_url: 'http://img/ada.png' };
    provider.emails = [{ email: 'Ada@Example.com', primary: true, verified: true }];
    const supabase = supabaseClient(t.url, t.project.keys.anonKey, { flowType: 'pkce' });
    const { data, error } = await supabase.auth.signInWithOAuth({ provider: 'github', options: { redirectTo: 'http://localhost:3000/cb', skipBrowserRedirect: true } });
    expect(error).toBeNull();
    const landed = await browse(data.url!, 'http://localhost:3000');
    const code = landed.searchParams.get('code')!;
    expect(code).toBeTruthy();
    const session = await supabase.auth.exchangeCodeForSession(code);
    expect(session.error).toBeNull();
    expect(session.data.user).toMatchObject({ email: 'ada@example.com', app_metadata: { provider: 'github', providers: ['github'] },
      user_metadata: { user_name: 'ada', full_name: 'Ada L', email_verified: true } });
    expect(session.data.user?.identities).toEqual([expect.objectContaining({ provider: 'github', id: '4242' })]);
    expect(session.data.user?.email_confirmed_at).toBeTruthy();
  });

  it('a second sign-in finds the same user; Google with the same verified address links to it (implicit flow)', async () => {
    const again = supabaseClient(t.url, t.project.keys.anonKey, { flowType: 'pkce' });
    const first = await again.auth.signInWithOAuth({ provider: 'github', options: { redirectTo: 'http://localhost:3000/cb', skipBrowserRedirect: true } });
    const code = (await browse(first.data.url!, 'http://localhost:3000')).searchParams.get('code')!;
    const ada = (await again.auth.exchangeCodeForSession(code)).data.user!;
    provider.profile = { sub: 'g-1', email: 'ada@example.com', email_verified: true, name: 'Ada' };
    const implicit = supabaseClient(t.url, t.project.keys.anonKey);
    const google = await implicit.auth.signInWithOAuth({ provider: 'google', options: { redirectTo: 'http://localhost:3000/cb', skipBrowserRedirect: true } });
    const landed = await browse(google.data.url!, 'http://localhost:3000');
    const fragment = new URLSearchParams(landed.hash.slice(1));
    expect(fragment.get('provider_token')).toMatch(/^token-/);
    const user = (await implicit.auth.getUser(fragment.get('access_token')!)).data.user!;
    expect(user.id).toBe(ada.id);
    expect(user.app_metadata.providers).toEqual(['github', 'google']);
    expect(user.identities?.map((i) => i.provider).sort()).toEqual(['github', 'google']);
  });

  it('refuses a provider the project has not configured, and a forged state', async () => {
    const headers = { apikey: t.project.keys.anonKey, 'X-Supabase-Api-Version': '2024-01-01' };
    const unknown = await fetch(`${t.url}/auth/v1/authorize?provider=gitlab`, { headers, redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'validation_failed', message: 'Unsupported provider: provider is not enabled' });
    const forged = await fetch(`${t.url}/auth/v1/callback?code=x&state=forged`, { headers, redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ code: 'bad_oauth_state' });
    const settings = await (await fetch(`${t.url}/auth/v1/settings`, { headers })).json();
    expect(settings.external).toMatchObject({ github: true, google: true });
  });
});
