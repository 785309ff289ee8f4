/**
 * Signed webhook deliveries (Stripe docs, "Check the webhook signatures"): an event's JSON is
 * POSTed with `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload" keyed with
 * the endpoint's whsec_ secret>`. Deliveries go one at a time, in the order events happened, so
 * a test's assertions after `settled()` see a deterministic history; Stripe itself does not
 * promise order, and DevFlow must not rely on it (its tests also deliver out of order).
 */
import { createHmac } from 'node:crypto';
import { nowSeconds, type Account, type StripeObject } from './account.js';

export function signatureHeader(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export interface DeliveryResult {
  /** The endpoint's HTTP status, or 0 when it could not be reached. */
  status: number;
  body: string;
}

export interface Delivery extends DeliveryResult {
  eventId: string;
  type: string;
  url: string;
}

/** POSTs a payload with a signature header as given: the raw form, for forged and stale deliveries too. */
export async function postSigned(url: string, payload: string, signature: string): Promise<DeliveryResult> {
  try {
    const res = await fetch(url, {
      method: 'POST', body: payload, signal: AbortSignal.timeout(20_000),
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

export function subscribed(enabled: string[], type: string): boolean {
  return enabled.includes('*') || enabled.includes(type);
}

export class Deliverer {
  readonly deliveries: Delivery[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  /** Queues the event for each of the account's endpoints that listens to its type. */
  enqueue(account: Account, event: StripeObject): void {
    const endpoints = account.webhookEndpoints.filter((e) => subscribed(e.enabled_events, String(event.type)));
    event.pending_webhooks = endpoints.length;
    for (const endpoint of endpoints) {
      this.chain = this.chain.then(() => this.deliver(event, endpoint.url, endpoint.secret, nowSeconds()));
    }
  }

  /** Sends the event (signed now, or at `timestamp`) and records the outcome. */
  async deliver(event: StripeObject, url: string, secret: string, timestamp: number): Promise<Delivery> {
    const payload = JSON.stringify(event, null, 2);
    const result = await postSigned(url, payload, signatureHeader(payload, secret, timestamp));
    const delivery = { eventId: event.id!, type: String(event.type), url, ...result };
    this.deliveries.push(delivery);
    if (result.status >= 200 && result.status < 300) event.pending_webhooks = Math.max(0, Number(event.pending_webhooks) - 1);
    return delivery;
  }

  /** Resolves when every delivery queued so far is done. */
  async settled(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }
}
