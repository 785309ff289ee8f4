/**
 * The Stripe stand-in driven by the real `stripe` package (host/port/protocol options). Stripe
 * is the one thing mocked here: this file checks that the stand-in answers the calls with
 * Stripe's shapes, so the tests that use it are honest.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeStandin, type StripeStandin } from './index.js';

let standin: StripeStandin;
let stripe: Stripe;
let receiver: http.Server;
let receiverUrl: string;
const received: Array<{ body: string; signature: string }> = [];

beforeAll(async () => {
  standin = await startStripeStandin();
  stripe = new Stripe(standin.secretKey, { ...standin.clientOptions(), maxNetworkRetries: 0 });
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['stripe-signature']) });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await standin?.close();
  receiver?.close();
});

describe('Stripe stand-in through the stripe package', () => {
  it('creates, finds by metadata, updates and deletes customers', async () => {
    const customer = await stripe.customers.create({ name: 'Acme', metadata: { devflow_team: 'acme' } });
    expect(customer).toMatchObject({ object: 'customer', name: 'Acme', metadata: { devflow_team: 'acme' } });
    expect(customer.id).toMatch(/^cus_/);
    const found = await stripe.customers.search({ query: `metadata['devflow_team']:'acme'` });
    expect(found.object).toBe('search_result');
    expect(found.data.map((c) => c.id)).toEqual([customer.id]);
    const updated = await stripe.customers.update(customer.id, { email: 'billing@acme.test', metadata: { devflow_team: '' } });
    expect(updated.email).toBe('billing@acme.test');
    expect(updated.metadata).toEqual({});
    expect(await stripe.customers.del(customer.id)).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
  });

  it('replays a request with the same Idempotency-Key and refuses the key with other parameters', async () => {
    const first = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'team-7' });
    const again = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'team-7' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    const other = await stripe.customers.create({ name: 'Other' }, { idempotencyKey: 'team-7' }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((other as Stripe.errors.StripeError).statusCode).toBe(400);
  });

  it("answers Stripe's errors: unknown parameter, missing object, bad key", async () => {
    const unknown = await stripe.customers.create({ colour: 'red' } as never).catch((e: Stripe.errors.StripeError) => e);
    expect(unknown).toMatchObject({ type: 'StripeInvalidRequestError', code: 'parameter_unknown', param: 'colour', statusCode: 400 });
    const missing = await stripe.customers.retrieve('cus_nope').catch((e: Stripe.errors.StripeError) => e);
    expect(missing).toMatchObject({ code: 'resource_missing', statusCode: 404, message: expect.stringContaining("No such customer: 'cus_nope'") });
    const live = new Stripe('sk_live_whatever', { ...standin.clientOptions(), maxNetworkRetries: 0 });
    const refused = await live.customers.list().catch((e: Stripe.errors.StripeError) => e);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('keeps each secret key its own account', async () => {
    const other = new Stripe(standin.newSecretKey(), { ...standin.clientOptions(), maxNetworkRetries: 0 });
    const mine = await stripe.customers.create({ name: 'Mine' });
    const theirs = await other.customers.retrieve(mine.id).catch((e: Stripe.errors.StripeError) => e);
    expect(theirs).toMatchObject({ statusCode: 404 });
  });

  it('runs Checkout to a subscription and delivers signed events the stripe package verifies', async () => {
    const { secret } = standin.addWebhookEndpoint(receiverUrl);
    const price = standin.createPrice({ unitAmount: 2500 });
    const customer = await stripe.customers.create({ name: 'Shop' });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription', customer: customer.id, line_items: [{ price, quantity: 1 }],
      success_url: 'http://devflow.test/done?s={CHECKOUT_SESSION_ID}', subscription_data: { metadata: { team: 'shop' } },
    });
    expect(session).toMatchObject({ object: 'checkout.session', status: 'open', mode: 'subscription', customer: customer.id });
    expect(session.id).toMatch(/^cs_test_/);
    // The customer pays on the Checkout page: a form POST, redirected to success_url.
    const paid = await fetch(session.url!, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://devflow.test/done?s=${session.id}`);
    await standin.settled();
    const events = received.map((r) => stripe.webhooks.constructEvent(r.body, r.signature, secret));
    expect(events.map((e) => e.type)).toEqual(['customer.created', 'customer.subscription.created', 'checkout.session.completed']);
    const completed = events[2]!.data.object as Stripe.Checkout.Session;
    expect(completed.status).toBe('complete');
    const sub = await stripe.subscriptions.retrieve(completed.subscription as string);
    expect(sub).toMatchObject({ object: 'subscription', status: 'active', customer: customer.id, metadata: { team: 'shop' } });
    expect(sub.items.data[0]!.price.id).toBe(price);
    const expanded = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect((expanded.subscription as Stripe.Subscription).id).toBe(sub.id);

    received.length = 0;
    await standin.setSubscriptionStatus(sub.id, 'past_due');
    const update = stripe.webhooks.constructEvent(received[0]!.body, received[0]!.signature, secret);
    expect(update.type).toBe('customer.subscription.updated');
    expect((update.data as { previous_attributes?: unknown }).previous_attributes).toEqual({ status: 'active' });
    await stripe.subscriptions.cancel(sub.id);
    await standin.settled();
    expect(JSON.parse(received.at(-1)!.body).type).toBe('customer.subscription.deleted');
    expect(() => stripe.webhooks.constructEvent(received[0]!.body, received[0]!.signature, 'whsec_other')).toThrow();
  });

  it('opens portal sessions for existing customers only', async () => {
    const customer = await stripe.customers.create({ name: 'Portal' });
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'http://devflow.test/back' });
    expect(portal).toMatchObject({ object: 'billing_portal.session', customer: customer.id, return_url: 'http://devflow.test/back' });
    expect(portal.id).toMatch(/^bps_/);
    expect((await fetch(portal.url)).status).toBe(200);
    await expect(stripe.billingPortal.sessions.create({ customer: 'cus_gone' })).rejects.toMatchObject({ code: 'resource_missing', param: 'customer' });
  });

  it('records meter events once per identifier and sums them', async () => {
    const meter = await stripe.billing.meters.create({ display_name: 'Instance seconds', event_name: 'devflow_instance_seconds', default_aggregation: { formula: 'sum' } });
    expect(meter.id).toMatch(/^mtr_/);
    const customer = await stripe.customers.create({ name: 'Metered' });
    const send = (identifier: string, value: number) => stripe.billing.meterEvents.create({
      event_name: 'devflow_instance_seconds', identifier, payload: { stripe_customer_id: customer.id, value: String(value) } });
    expect(await send('row-1', 60)).toMatchObject({ object: 'billing.meter_event', identifier: 'row-1', payload: { value: '60' } });
    await send('row-2', 40);
    const duplicate = await send('row-1', 60).catch((e: Stripe.errors.StripeError) => e);
    expect(duplicate).toMatchObject({ statusCode: 400, message: expect.stringContaining('An event already exists with identifier row-1.') });
    expect(standin.meterTotal('devflow_instance_seconds', customer.id)).toBe(100);
    const now = Math.floor(Date.now() / 1000);
    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: now - 3600, end_time: now + 60 });
    expect(summaries.data[0]!.aggregated_value).toBe(100);
    await expect(stripe.billing.meterEvents.create({ event_name: 'devflow_instance_seconds', payload: { value: '1' } }))
      .rejects.toMatchObject({ code: 'parameter_missing', param: 'payload[stripe_customer_id]' });
  });
});
