/**
 * Stripe for apps, driven as its users drive it: the operator connects the app's Stripe
 * account through the API, the app's users sign up with supabase-js, Checkout and the portal
 * are asked for over HTTP with the user's token, and Stripe's signed deliveries arrive over
 * HTTP at the app's webhook. Everything is real (PostgreSQL, the Auth service, the API, the
 * `stripe` package) except Stripe itself: Stripe is the one thing mocked, by the local stand-in
 * (tests/support/stripe-standin/), since Stripe's API cannot be reached from here.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { getApp, getConfigVars } from '../../core/store/apps.js';
import type { Sql } from '../../core/store/database.js';
import { createRelease } from '../../core/store/releases.js';
import { instanceEnv } from '../../scheduler/index.js';
import { startInProcessApi, type InProcessApi } from '../../tests/support/in-process-api.js';
import { supabaseClient } from '../auth/test-support.js';
import { eventually, startStripeTestBed, type StripeTestBed } from './test-support.js';

let bed: StripeTestBed;
let api: InProcessApi;
let shopDb: Sql;
const keys = { shop: '', blog: '' };
const hooks = { shop: '', blog: '' };
const webhookUrl = (app: string) => `${bed.base}/backend/${app}/stripe/v1/webhook`;

const callApi = async (method: string, path: string, body?: unknown, token = api.adminToken) => {
  const res = await fetch(`${api.base}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
};

const client = (app: string): SupabaseClient => supabaseClient(`${bed.base}/backend/${app}`, bed.views[app]!.anonKey);

async function signUp(app: string, email: string): Promise<{ id: string; token: string }> {
  const { data, error } = await client(app).auth.signUp({ email, password: 'correct horse battery staple' });
  expect(error).toBeNull();
  return { id: data.user!.id, token: data.session!.access_token };
}

const customerOf = (userId: string) => eventually(async () => {
  const [row] = await shopDb<{ id: string; email: string; deleted: boolean }[]>`
    SELECT id, email, deleted FROM stripe.customers WHERE user_id = ${userId}`;
  return row;
}, `a customer for ${userId}`);

const eventCount = async () => Number((await shopDb`SELECT count(*) FROM stripe.events`)[0]!.count);

beforeAll(async () => {
  bed = await startStripeTestBed(['shop', 'blog']);
  api = await startInProcessApi(bed.db.sql, { backend: bed.backend.operations });
  keys.shop = bed.standin.newSecretKey();
  keys.blog = bed.standin.newSecretKey();
  hooks.shop = bed.standin.addWebhookEndpoint(webhookUrl('shop'), { secretKey: keys.shop }).secret;
  hooks.blog = bed.standin.addWebhookEndpoint(webhookUrl('blog'), { secretKey: keys.blog }).secret;
}, 120_000);

afterAll(async () => {
  await api?.close();
  await bed?.close();
});

describe('stripe:connect', () => {
  it('refuses a key Stripe refuses, with a clear message and without echoing the key', async () => {
    const refused = await callApi('PUT', '/apps/shop/stripe', { secretKey: 'sk_live_notARealKey0001', webhookSecret: hooks.shop });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Stripe refused the secret key');
    expect(refused.text).not.toContain('sk_live_notARealKey0001');
    const malformed = await callApi('PUT', '/apps/shop/stripe', { secretKey: 'pk_test_abcdefgh1234', webhookSecret: hooks.shop });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('publishable key');
    expect(JSON.parse((await callApi('GET', '/apps/shop/stripe')).text)).toMatchObject({ connected: false });
  });

  it('connects each app with its own keys and shows them masked only', async () => {
    for (const app of ['shop', 'blog'] as const) {
      const res = await callApi('PUT', `/apps/${app}/stripe`, { secretKey: keys[app], webhookSecret: hooks[app] });
      expect(res.status).toBe(200);
    }
    shopDb = await bed.appSql('shop');
    const shown = await callApi('GET', '/apps/shop/stripe', undefined, api.readToken);
    expect(shown.status).toBe(200);
    expect(JSON.parse(shown.text)).toEqual({
      app: 'shop', connected: true, livemode: false, secretKey: `sk_test_…${keys.shop.slice(-4)}`, webhookSecret: `whsec_…${hooks.shop.slice(-4)}`,
      connectedAt: expect.any(String), webhookUrl: 'http://127.0.0.1:7070/backend/shop/stripe/v1/webhook',
    });
    expect(shown.text).not.toContain(keys.shop);
    expect(shown.text).not.toContain(hooks.shop);
    const rows = await bed.db.sql`SELECT sealed_secret_key, sealed_webhook_secret FROM app_stripe`;
    expect(rows).toHaveLength(2);
    for (const row of rows) for (const value of Object.values(row)) expect(String(value)).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain(keys.shop);
  });

  it("puts neither key in the app's config vars nor in the environment its processes get", async () => {
    const app = await getApp(bed.db.sql, parseAppName('shop'));
    const vars = await getConfigVars(bed.db.sql, app.id);
    // The environment a new release's processes get: what the backend injects (SUPABASE_*), then the app's config vars.
    const inject = bed.backend.platformEnv({ forApp: async () => ({}) });
    const release = await createRelease(bed.db.sql, {
      appId: app.id, deploymentId: null, sha: null, description: 'env check', config: vars,
      artifact: { kind: 'slug', dir: '/nonexistent', processes: { web: 'true' }, env: {} },
    });
    const env = instanceEnv(app.name, release, await inject.forApp(app));
    expect(env).toHaveProperty('SUPABASE_URL');
    const text = JSON.stringify({ vars, env, config: release.config });
    for (const secret of [keys.shop, hooks.shop, keys.blog, hooks.blog]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sk_(test|live)_|whsec_/);
  });
});

describe('a Stripe customer per Auth user', () => {
  it('gives a new user a customer, made once with the user id as its idempotency key', async () => {
    const user = await signUp('shop', 'ada@example.com');
    const customer = await customerOf(user.id);
    expect(customer.email).toBe('ada@example.com');
    const made = bed.standin.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customers' && r.secretKey === keys.shop);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ idempotencyKey: `devflow-user-${user.id}`, params: { email: 'ada@example.com', metadata: { devflow_user_id: user.id } } });
    expect(bed.standin.account(keys.shop).all('customer').map((c) => c.id)).toEqual([customer.id]);
  });

  it('signs up while Stripe is down, and the customer follows once it is back', async () => {
    bed.relay.setDown(true);
    let user: { id: string };
    try {
      user = await signUp('shop', 'grace@example.com');
      const failed = await eventually(async () => {
        const [row] = await shopDb<{ attempts: number; last_error: string | null }[]>`
          SELECT attempts, last_error FROM stripe.user_customers WHERE user_id = ${user.id} AND attempts > 0`;
        return row;
      }, 'a failed attempt');
      expect(failed.last_error).toMatch(/connection/i);
      expect((await shopDb`SELECT 1 FROM stripe.customers WHERE user_id = ${user.id}`).length).toBe(0);
    } finally {
      bed.relay.setDown(false);
    }
    expect((await customerOf(user.id)).email).toBe('grace@example.com');
  });

  it('does not make a second customer when the answer of the first was lost', async () => {
    const user = await signUp('shop', 'linus@example.com');
    const first = await customerOf(user.id);
    // As after a crash between Stripe's answer and DevFlow's commit: the row still asks for a create.
    await shopDb`DELETE FROM stripe.customers WHERE id = ${first.id}`;
    await shopDb`UPDATE stripe.user_customers SET customer_id = NULL, pending = 'create', next_attempt_at = now() WHERE user_id = ${user.id}`;
    expect((await customerOf(user.id)).id).toBe(first.id);
    const forUser = bed.standin.account(keys.shop).all('customer').filter((c) => (c.metadata as Record<string, string>).devflow_user_id === user.id);
    expect(forUser).toHaveLength(1);
  });

  it('deletes the customer when the user is deleted', async () => {
    const user = await signUp('shop', 'temp@example.com');
    const customer = await customerOf(user.id);
    const admin = supabaseClient(`${bed.base}/backend/shop`, bed.views.shop!.serviceRoleKey);
    expect((await admin.auth.admin.deleteUser(user.id)).error).toBeNull();
    await eventually(async () => ((await customerOf(user.id)).deleted ? true : undefined), 'the customer marked deleted');
    expect(bed.standin.account(keys.shop).find(customer.id, 'customer')).toMatchObject({ deleted: true });
  });
});

describe('Checkout, the portal and the webhook', () => {
  let buyer: { id: string; token: string };
  let sessionId: string;

  const post = (app: string, path: string, body: unknown, token?: string) => fetch(`${bed.base}/backend/${app}/stripe/v1${path}`, {
    method: 'POST',
    headers: { apikey: bed.views[app]!.anonKey, 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

  beforeAll(async () => {
    buyer = await signUp('shop', 'buyer@example.com');
  });

  it("opens a Checkout session for the signed-in user's own customer", async () => {
    const price = bed.standin.createPrice({ unitAmount: 900, secretKey: keys.shop });
    const anonymous = await post('shop', '/checkout', { price, successUrl: 'https://shop.example/ok', cancelUrl: 'https://shop.example/' });
    expect(anonymous.status).toBe(401);
    const res = await post('shop', '/checkout', { price, successUrl: 'https://shop.example/ok', cancelUrl: 'https://shop.example/' }, buyer.token);
    const body = (await res.json()) as { id: string; url: string; customer: string };
    expect(res.status).toBe(200);
    expect(body.url).toMatch(/^http/);
    expect(body.customer).toBe((await customerOf(buyer.id)).id);
    sessionId = body.id;
  });

  it('writes the verified events of the paid Checkout to the stripe schema, each once', async () => {
    await bed.standin.completeCheckout(sessionId);
    const [sub] = await shopDb<{ user_id: string; status: string; price: string }[]>`SELECT user_id, status, price FROM stripe.user_subscriptions`;
    expect(sub).toMatchObject({ user_id: buyer.id, status: 'active' });
    const delivered = bed.standin.deliveries.filter((d) => d.url === webhookUrl('shop'));
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((d) => d.status === 200)).toBe(true);
    const events = await eventCount();
    const replay = await bed.standin.redeliver(delivered.at(-1)!.eventId, { url: webhookUrl('shop') });
    expect(replay.status).toBe(200);
    expect(await eventCount()).toBe(events);
  });

  it('follows a subscription that falls past due', async () => {
    const [sub] = await shopDb<{ id: string }[]>`SELECT id FROM stripe.subscriptions`;
    await bed.standin.setSubscriptionStatus(sub!.id, 'past_due');
    expect((await shopDb`SELECT status FROM stripe.subscriptions WHERE id = ${sub!.id}`)[0]!.status).toBe('past_due');
  });

  it('refuses forged, stale, unsigned and other-app deliveries with 400, changing nothing', async () => {
    const [sub] = await shopDb<{ id: string }[]>`SELECT id FROM stripe.subscriptions`;
    const payload = {
      id: 'evt_forged_1', object: 'event', type: 'customer.subscription.updated', created: Math.floor(Date.now() / 1000), livemode: false,
      data: { object: { id: sub!.id, object: 'subscription', customer: 'cus_x', status: 'active', items: { data: [] } } },
    };
    const before = await eventCount();
    const attempts = [
      bed.standin.sendWebhook({ url: webhookUrl('shop'), payload, secret: 'whsec_guessedguessed' }),
      bed.standin.sendWebhook({ url: webhookUrl('shop'), payload, secret: hooks.shop, timestamp: Math.floor(Date.now() / 1000) - 600 }),
      bed.standin.sendWebhook({ url: webhookUrl('shop'), payload, secret: hooks.blog }),
      bed.standin.sendWebhook({ url: webhookUrl('shop'), payload, signature: '' }),
    ];
    for (const result of await Promise.all(attempts)) expect(result.status).toBe(400);
    expect(await eventCount()).toBe(before);
    expect((await shopDb`SELECT status FROM stripe.subscriptions WHERE id = ${sub!.id}`)[0]!.status).toBe('past_due');
  });

  it('lets the app read only its own user\'s subscription under RLS, with the documented policies', async () => {
    await shopDb.unsafe(`CREATE POLICY "own customer" ON stripe.customers FOR SELECT TO authenticated USING (user_id = auth.uid())`);
    await shopDb.unsafe(`CREATE POLICY "own subscriptions" ON stripe.subscriptions FOR SELECT TO authenticated
      USING (customer IN (SELECT id FROM stripe.customers WHERE user_id = auth.uid()))`);
    const other = await signUp('shop', 'other@example.com');
    const asUser = (id: string) => shopDb.begin(async (tx) => {
      await tx`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: id, role: 'authenticated' })}, true)`;
      await tx`SET LOCAL ROLE authenticated`;
      return tx<{ user_id: string; status: string }[]>`SELECT user_id, status FROM stripe.user_subscriptions`;
    });
    expect(await asUser(buyer.id)).toEqual([{ user_id: buyer.id, status: 'past_due' }]);
    expect(await asUser(other.id)).toEqual([]);
  });

  it('opens a customer-portal session', async () => {
    const res = await post('shop', '/portal', { returnUrl: 'https://shop.example/account' }, buyer.token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { url: string }).url).toMatch(/^http/);
  });
});

describe('stripe:disconnect', () => {
  it('forgets the keys: the webhook answers 404 and new users get no customer', async () => {
    const res = await callApi('DELETE', '/apps/blog/stripe');
    expect(JSON.parse(res.text)).toMatchObject({ connected: false, secretKey: null });
    const delivery = await bed.standin.sendWebhook({ url: webhookUrl('blog'), payload: { id: 'evt_late' }, secret: hooks.blog });
    expect(delivery.status).toBe(404);
    const blogDb = await bed.appSql('blog');
    const user = await signUp('blog', 'late@example.com');
    expect(await blogDb`SELECT 1 FROM stripe.user_customers WHERE user_id = ${user.id}`).toEqual([]);
  });

  it('never wrote either app\'s secrets to DevFlow\'s log', () => {
    const log = bed.logged.join('\n');
    for (const secret of [keys.shop, keys.blog, hooks.shop, hooks.blog]) expect(log).not.toContain(secret);
  });
});
