/**
 * Stripe for the platform through DevFlow's API and CLI, as an operator and a team's admin use
 * it, on the real PostgreSQL and the real API in-process. Stripe is the one thing mocked: the
 * local stand-in (tests/support/stripe-standin/), driven by the real `stripe` package, makes the
 * customers, Checkout sessions and subscriptions, and delivers signed webhooks to DevFlow.
 * Webhooks reach DevFlow only over HTTP, as Stripe's would.
 */
import { execFile } from 'node:child_process';
import { format } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApi, type TestApi } from '../../api/test-api.js';
import { readStripeSettings } from '../../core/settings.js';
import { CheckedApi } from '../../tests/support/api-client.js';
import { startStripeStandin, type StripeStandin } from '../../tests/support/stripe-standin/index.js';
import { startStripeMeterReporting } from '../index.js';
import { CLI_ENTRY } from '../../tests/support/compiled-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEBHOOK_SECRET = 'whsec_platformtest0123456789';

interface Billing { team: string; plan: string | null; stripe: boolean; customer: boolean; subscription: null | { id: string; plan: string; status: string; graceUntil: string | null } }

async function startBillingApi(standin: StripeStandin, secretKey: string, grace: string) {
  const prices = `pro=${standin.createPrice({ unitAmount: 2500, secretKey })},team=${standin.createPrice({ unitAmount: 25000, secretKey })}`;
  const stripe = readStripeSettings({
    DEVFLOW_STRIPE_SECRET_KEY: secretKey, DEVFLOW_STRIPE_API_URL: standin.url, DEVFLOW_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    DEVFLOW_STRIPE_PRICES: prices, DEVFLOW_STRIPE_GRACE: grace,
  });
  const api = await startTestApi({ config: { stripe } });
  const webhookUrl = `${api.base}/api/v1/billing/stripe/webhook`;
  standin.addWebhookEndpoint(webhookUrl, { secretKey, secret: WEBHOOK_SECRET });
  return { api, client: new CheckedApi(api.base, api.adminToken), webhookUrl };
}

function devflow(api: TestApi, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), DEVFLOW_API: api.base, DEVFLOW_TOKEN: api.adminToken, DEVFLOW_CONFIG: path.join(os.tmpdir(), 'devflow-billing-no-credentials.json') };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_ENTRY, ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let standin: StripeStandin;
/** Everything DevFlow (the in-process API and billing) writes to its log in this file: console and both streams. */
const logged: string[] = [];

beforeAll(async () => {
  standin = await startStripeStandin();
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(format(...args)));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
      logged.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof stream.write);
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await standin?.close();
});

describe('a team subscribes through Checkout, and webhooks set its plan (grace 7d)', () => {
  let api: TestApi;
  let client: CheckedApi;
  let webhookUrl: string;
  let subscriptionId: string;
  const billing = async () => (await client.call<Billing>('GET', '/teams/acme/billing')).body;

  beforeAll(async () => {
    ({ api, client, webhookUrl } = await startBillingApi(standin, standin.secretKey, '7d'));
    expect((await client.call('POST', '/teams', { body: { name: 'acme' } })).status).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('starts with no subscription', async () => {
    expect(await billing()).toEqual({ team: 'acme', plan: null, stripe: true, customer: false, subscription: null });
  });

  it('billing:subscribe prints a Checkout link; paying it makes the team pro', async () => {
    const run = await devflow(api, ['billing:subscribe', '--team', 'acme', '--plan', 'pro']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const url = /http:\/\/\S+\/c\/pay\/cs_test_\w+/.exec(run.stdout)?.[0];
    expect(url, run.stdout).toBeDefined();
    // The request DevFlow sent has the shape of Stripe's reference: a subscription for the pro price.
    const sent = standin.requests.find((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST')!;
    expect(sent.params).toMatchObject({ mode: 'subscription', line_items: [{ price: expect.stringMatching(/^price_/), quantity: '1' }] });
    const customers = standin.account().all('customer');
    expect(customers.map((c) => c.metadata)).toEqual([{ devflow_team: 'acme', devflow_team_id: expect.any(String) }]);
    expect((await billing()).plan).toBeNull(); // nothing changes before Stripe confirms

    const paid = await fetch(url!, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    await standin.settled();
    expect(standin.deliveries.map((d) => d.status)).toEqual(standin.deliveries.map(() => 200));
    const after = await billing();
    expect(after).toMatchObject({ plan: 'pro', customer: true, subscription: { plan: 'pro', status: 'active', graceUntil: null } });
    subscriptionId = after.subscription!.id;
  });

  it('a second Checkout is refused while the subscription holds, naming the portal', async () => {
    const res = await client.call<{ error: { message: string } }>('POST', '/teams/acme/billing/checkout', { body: { plan: 'team' } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('devflow billing:portal --team acme');
    expect(standin.account().all('customer')).toHaveLength(1); // still one customer for the team
  });

  it('refuses forged, stale, unsigned and replayed deliveries, changing nothing', async () => {
    const event = { id: 'evt_forged1', object: 'event', type: 'customer.subscription.deleted', created: Math.floor(Date.now() / 1000),
      data: { object: { ...standin.account().find(subscriptionId, 'subscription'), status: 'canceled' } } };
    const forged = await standin.sendWebhook({ url: webhookUrl, payload: event, secret: 'whsec_not_the_secret' });
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.body).error.message).toContain('does not verify');
    const stale = await standin.sendWebhook({ url: webhookUrl, payload: event, secret: WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(400);
    expect(JSON.parse(stale.body).error.message).toMatch(/tolerance/i);
    const unsigned = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(unsigned.status).toBe(400);
    const tampered = await standin.sendWebhook({ url: webhookUrl, payload: JSON.stringify(event), signature: `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` });
    expect(tampered.status).toBe(400);
    expect((await billing()).subscription).toMatchObject({ status: 'active' });

    const created = standin.account().all('event').find((e) => e.type === 'customer.subscription.created')!;
    const replay = await standin.redeliver(created.id!);
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.body)).toEqual({ received: true, result: 'duplicate' });
    const rows = await api.db.sql`SELECT event_id FROM billing_stripe_events WHERE event_id = ${created.id!}`;
    expect(rows).toHaveLength(1);
  });

  it('past_due keeps the plan through the grace period; billing shows the deadline', async () => {
    await standin.setSubscriptionStatus(subscriptionId, 'past_due');
    const state = await billing();
    expect(state).toMatchObject({ plan: 'pro', subscription: { status: 'past_due' } });
    const days = (Date.parse(state.subscription!.graceUntil!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const shown = await devflow(api, ['billing', '--team', 'acme']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Subscription:  pro, past_due');
    expect(shown.stdout).toContain('Grace until:');
  });

  it('an older event arriving late does not undo a newer state', async () => {
    const created = standin.account().all('event').find((e) => e.type === 'customer.subscription.created')!;
    // The same kind of event with a new id and an older time, as Stripe's retries can deliver it.
    const late = { ...created, id: 'evt_late_created', created: Number(created.created) - 60 };
    const res = await standin.sendWebhook({ url: webhookUrl, payload: late, secret: WEBHOOK_SECRET });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).result).toContain('ignored');
    expect((await billing()).subscription).toMatchObject({ status: 'past_due' });
  });

  it('billing:portal prints a portal link for the team\'s customer', async () => {
    const run = await devflow(api, ['billing:portal', '--team', 'acme']);
    expect(run.code).toBe(0);
    const url = /http:\/\/\S+\/p\/session\/bps_\w+/.exec(run.stdout)?.[0];
    expect(url, run.stdout).toBeDefined();
    const page = await (await fetch(url!)).text();
    expect(page).toContain(`${subscriptionId}: past_due`);
  });

  it('never shows the Stripe keys in API answers or CLI output', async () => {
    const texts = [
      (await client.call('GET', '/teams/acme/billing')).text,
      (await client.call('GET', '/openapi.json')).text,
      (await devflow(api, ['billing', '--team', 'acme', '--json'])).stdout,
    ];
    for (const text of texts) {
      expect(text).not.toContain(standin.secretKey);
      expect(text).not.toContain(WEBHOOK_SECRET);
    }
    expect(client.problems).toEqual([]);
  });
});

describe('a lapsed subscription puts the team on the free plan after the grace period (grace 0m)', () => {
  let api: TestApi;
  let client: CheckedApi;
  const key = () => standin.account(secretKey);
  let secretKey: string;

  beforeAll(async () => {
    secretKey = standin.newSecretKey();
    ({ api, client } = await startBillingApi(standin, secretKey, '0m'));
    await client.call('POST', '/teams', { body: { name: 'lapse' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('refuses new apps once the subscription is past due, keeps the ones there, and allows again once paid', async () => {
    const link = await client.call<{ url: string; sessionId: string }>('POST', '/teams/lapse/billing/checkout', { body: { plan: 'pro' } });
    expect(link.status).toBe(201);
    await standin.completeCheckout(link.body.sessionId);
    const subId = key().all('subscription')[0]!.id!;
    for (const name of ['lapse-a', 'lapse-b', 'lapse-c']) {
      expect((await client.call('POST', '/apps', { body: { name, team: 'lapse' } })).status).toBe(201);
    }
    await standin.setSubscriptionStatus(subId, 'past_due');
    const refused = await client.call<{ error: { message: string } }>('POST', '/apps', { body: { name: 'lapse-d', team: 'lapse' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('free plan');
    expect(refused.body.error.message).toContain('pro subscription is past_due');
    const apps = await client.call<Array<{ name: string }>>('GET', '/apps');
    expect(apps.body.map((a) => a.name).sort()).toEqual(['lapse-a', 'lapse-b', 'lapse-c']);
    expect((await client.call<Billing>('GET', '/teams/lapse/billing')).body.plan).toBe('free');

    await standin.setSubscriptionStatus(subId, 'active');
    expect((await client.call('POST', '/apps', { body: { name: 'lapse-d', team: 'lapse' } })).status).toBe(201);
    await standin.setSubscriptionStatus(subId, 'canceled');
    expect((await client.call<Billing>('GET', '/teams/lapse/billing')).body).toMatchObject({ plan: 'free', subscription: { status: 'canceled' } });
    expect(client.problems).toEqual([]);
  });
});

describe("DevFlow's log output never holds the platform Stripe key or webhook secret", () => {
  let api: TestApi;
  let client: CheckedApi;
  let webhookUrl: string;
  // A key the Stripe stand-in refuses (a live key sent to a test server), so the refusals are logged.
  const wrongKey = `sk_live_${'Q'.repeat(24)}wrong`;
  const settings = () => readStripeSettings({
    DEVFLOW_STRIPE_SECRET_KEY: wrongKey, DEVFLOW_STRIPE_API_URL: standin.url, DEVFLOW_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    DEVFLOW_STRIPE_PRICES: `pro=${standin.createPrice({ unitAmount: 2500 })}`,
  })!;

  beforeAll(async () => {
    api = await startTestApi({ config: { stripe: settings() } });
    client = new CheckedApi(api.base, api.adminToken);
    webhookUrl = `${api.base}/api/v1/billing/stripe/webhook`;
    await client.call('POST', '/teams', { body: { name: 'keyless' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('when Stripe refuses the key (API and meter reporting) and a forged webhook arrives, the log says so without either secret', async () => {
    const portal = await client.call<{ error: { message: string } }>('POST', '/teams/keyless/billing/portal');
    expect(portal.body.error.message).toContain('Invalid API Key provided: sk_live_****rong');
    expect(portal.text).not.toContain(wrongKey);
    const forged = await fetch(webhookUrl, { method: 'POST', headers: { 'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`, 'content-type': 'application/json' }, body: '{"id":"evt_forged"}' });
    expect(forged.status).toBe(400);
    // An hour of a team's usage due for the meter, for a customer made before the key went wrong.
    const [team] = await api.db.sql<Array<{ id: number }>>`SELECT id FROM teams WHERE name = 'keyless'`;
    expect((await client.call('POST', '/apps', { body: { name: 'keyless-web', team: 'keyless' } })).status).toBe(201);
    const [app] = await api.db.sql<Array<{ id: number }>>`SELECT id FROM apps WHERE name = 'keyless-web'`;
    await api.db.sql`INSERT INTO billing_customers (team_id, stripe_customer_id, metered_until) VALUES (${team!.id}, 'cus_keyless', date_trunc('hour', now()) - interval '2 hours')`;
    await api.db.sql`INSERT INTO usage_instances (instance_id, app_id, app, team_id, process_type, size, runtime, started_at, stopped_at, last_seen_at)
      VALUES ('web.keyless', ${app!.id}, 'keyless-web', ${team!.id}, 'web', 'eco', 'process', date_trunc('hour', now()) - interval '110 minutes', date_trunc('hour', now()) - interval '100 minutes', date_trunc('hour', now()) - interval '100 minutes')`;
    const reporting = startStripeMeterReporting({ sql: api.db.sql, settings: settings(), log: (line) => console.log(line), intervalMs: 50 });
    for (let tries = 0; tries < 200 && !logged.some((l) => l.includes('meter event')); tries += 1) await new Promise((r) => setTimeout(r, 50));
    await reporting.stop();
    // The refusals reached the log (Stripe masks the key it names), so the check below reads real lines.
    expect(logged.join('\n')).toMatch(/billing: meter event \S+ not sent .*Invalid API Key provided: sk_live_\*{4}rong/);
    const text = logged.join('\n');
    for (const secret of [standin.secretKey, wrongKey, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
  });
});
