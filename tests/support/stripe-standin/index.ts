/**
 * A stateful local stand-in for Stripe's API: the one part of the billing tests that is mocked,
 * because api.stripe.com cannot be reached from these machines. It speaks the subset DevFlow
 * uses, with the shapes of Stripe's published API reference: customers (with metadata and
 * search), Checkout Sessions (a subscription starts when the customer pays), subscriptions,
 * customer-portal sessions, prices, billing meters and meter events (identifiers de-duplicated),
 * webhook endpoints and events, and signed webhook deliveries. Each `sk_test_…` key is its own
 * account, so the platform and every app's connected key keep separate state.
 *
 * Point the real `stripe` package at it: `new Stripe(key, standin.clientOptions())`.
 */
import type { AddressInfo } from 'node:net';
import type { Account, StripeObject } from './account.js';
import { newId } from './account.js';
import { completeCheckout } from './checkout.js';
import { noSuch } from './errors.js';
import { Accounts, createStandinServer, type RequestRecord, type StandinHooks } from './server.js';
import { setSubscriptionStatus, type SubscriptionStatus } from './subscriptions.js';
import { Deliverer, postSigned, signatureHeader, type Delivery, type DeliveryResult } from './webhooks.js';

export type { Account, StripeObject } from './account.js';
export type { RequestRecord, StandinHooks } from './server.js';
export type { Delivery, DeliveryResult } from './webhooks.js';
export type { SubscriptionStatus } from './subscriptions.js';
export { signatureHeader } from './webhooks.js';

export interface StripeStandin {
  host: string;
  port: number;
  protocol: 'http';
  /** `http://127.0.0.1:<port>`: the base URL, for a setting such as DEVFLOW_STRIPE_API_URL. */
  url: string;
  /** A test-mode key made for this stand-in; any other `sk_test_…` key works too (its own account). */
  secretKey: string;
  /** Options for `new Stripe(key, …)`: host, port, protocol (and no network retries' sleeps). */
  clientOptions(): { host: string; port: number; protocol: 'http' };
  /** A fresh `sk_test_…` key: a separate, empty account. */
  newSecretKey(): string;
  /** The in-memory state of one key's account (customers, sessions, subscriptions, meter events, events…). */
  account(secretKey?: string): Account;
  /** Registers a webhook endpoint, as `POST /v1/webhook_endpoints` does; returns its signing secret. */
  addWebhookEndpoint(url: string, options?: { secretKey?: string; events?: string[]; secret?: string }): { id: string; secret: string };
  /** A recurring price (monthly by default), as `POST /v1/prices` makes it. */
  createPrice(options: { unitAmount: number; product?: string; secretKey?: string; usageType?: 'licensed' | 'metered'; lookupKey?: string }): string;
  /** The customer pays a Checkout Session; resolves once the resulting events are delivered. */
  completeCheckout(sessionId: string): Promise<StripeObject>;
  /** Moves a subscription to past_due, canceled… as Stripe would on its own; resolves once delivered. */
  setSubscriptionStatus(subscriptionId: string, status: SubscriptionStatus): Promise<StripeObject>;
  /** Sends an event already delivered once again (Stripe's retries), signed now or at `timestamp`. */
  redeliver(eventId: string, options?: { url?: string; timestamp?: number }): Promise<DeliveryResult>;
  /** A raw delivery: any payload, signed with any secret at any time, or with a given header (forgeries). */
  sendWebhook(options: { url: string; payload: string | object; secret?: string; timestamp?: number; signature?: string }): Promise<DeliveryResult>;
  /** The sum of meter event values for an event name and customer (what a `sum` meter bills). */
  meterTotal(eventName: string, customer: string, secretKey?: string): number;
  /** Every webhook delivery made, with the endpoint's status and body. */
  deliveries: Delivery[];
  /** Every API request received: method, path, key, parsed parameters, idempotency key, status. */
  requests: RequestRecord[];
  /** Resolves when every webhook delivery queued so far is done. */
  settled(): Promise<void>;
  /** Set `hooks.beforeReply` to act between a request's effect and its answer. */
  hooks: StandinHooks;
  close(): Promise<void>;
}

export async function startStripeStandin(): Promise<StripeStandin> {
  const deliverer = new Deliverer();
  const accounts = new Accounts(deliverer);
  const requests: RequestRecord[] = [];
  let url = '';
  const hooks: StandinHooks = {};
  const server = createStandinServer(accounts, requests, () => url, hooks);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  const secretKey = `sk_test_standin${newId('')}`;
  const located = (id: string, what: string) => {
    const found = accounts.locate(id);
    if (!found) throw noSuch(what, id);
    return found;
  };
  const endpointFor = (account: Account, target?: string) => {
    const endpoint = account.webhookEndpoints.find((e) => target === undefined || e.url === target);
    if (!endpoint) throw new Error(`the stand-in has no webhook endpoint${target ? ` ${target}` : ''} for this account`);
    return endpoint;
  };

  return {
    host: '127.0.0.1', port, protocol: 'http', url, secretKey,
    clientOptions: () => ({ host: '127.0.0.1', port, protocol: 'http' }),
    newSecretKey: () => `sk_test_standin${newId('')}`,
    account: (key = secretKey) => accounts.get(key),
    addWebhookEndpoint(target, options = {}) {
      // A chosen secret lets a test configure the receiver before the endpoint exists (Stripe always makes its own).
      const endpoint = { id: newId('we_'), url: target, secret: options.secret ?? newId('whsec_'), enabled_events: options.events ?? ['*'] };
      accounts.get(options.secretKey ?? secretKey).webhookEndpoints.push(endpoint);
      return { id: endpoint.id, secret: endpoint.secret };
    },
    createPrice(options) {
      const account = accounts.get(options.secretKey ?? secretKey);
      const product = account.put({ id: newId('prod_'), object: 'product', name: options.product ?? 'DevFlow plan', active: true, livemode: false, metadata: {} });
      return account.put({
        id: newId('price_'), object: 'price', active: true, currency: 'usd', product: product.id, unit_amount: options.unitAmount, livemode: false,
        lookup_key: options.lookupKey ?? null, metadata: {}, type: 'recurring',
        recurring: { interval: 'month', interval_count: 1, usage_type: options.usageType ?? 'licensed', meter: null },
      }).id!;
    },
    async completeCheckout(sessionId) {
      const { account } = located(sessionId, 'checkout.session');
      const session = completeCheckout(account, sessionId, accounts.emitter(account));
      await deliverer.settled();
      return session;
    },
    async setSubscriptionStatus(id, status) {
      const { account, object } = located(id, 'subscription');
      setSubscriptionStatus(account, object, status, accounts.emitter(account));
      await deliverer.settled();
      return object;
    },
    async redeliver(eventId, options = {}) {
      const { account, object } = located(eventId, 'event');
      const endpoint = endpointFor(account, options.url);
      return deliverer.deliver(object, endpoint.url, endpoint.secret, options.timestamp ?? Math.floor(Date.now() / 1000));
    },
    sendWebhook(options) {
      const payload = typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload);
      const signature = options.signature ?? signatureHeader(payload, options.secret ?? '', options.timestamp ?? Math.floor(Date.now() / 1000));
      return postSigned(options.url, payload, signature);
    },
    meterTotal: (eventName, customer, key = secretKey) => accounts.get(key).meterTotal(eventName, customer),
    deliveries: deliverer.deliveries,
    requests,
    settled: () => deliverer.settled(),
    hooks,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
