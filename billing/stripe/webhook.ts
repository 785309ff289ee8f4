/**
 * Stripe's deliveries to POST /api/v1/billing/stripe/webhook (Stripe docs, "Receive Stripe
 * events in your webhook endpoint", "Check the webhook signatures"). The signature is the
 * authentication: checked by the `stripe` package against DEVFLOW_STRIPE_WEBHOOK_SECRET with a
 * five-minute tolerance; a delivery that does not verify changes nothing. Each event id is kept,
 * so a replayed event is acknowledged and not applied again; subscription events set the team's
 * subscription state, an older event arriving late leaves a newer state alone.
 */
import type Stripe from 'stripe';
import { InvalidInputError } from '../../core/errors.js';
import type { StripeSettings } from '../../core/settings.js';
import type { Sql } from '../../core/store/database.js';
import { callStripe } from './client.js';
import { graceUntil, planOfPrices, standingOf, supersedes } from './states.js';

export const TOLERANCE_SECONDS = 300;

export interface WebhookDeps {
  sql: Sql;
  stripe: Stripe;
  settings: StripeSettings;
}

export interface WebhookOutcome {
  received: true;
  /** What the event did: "applied: …", "duplicate", or "ignored: …". */
  result: string;
}

export function verifiedEvent(deps: WebhookDeps, body: Buffer | undefined, signature: string | undefined): Stripe.Event {
  const secret = deps.settings.webhookSecret;
  if (!secret) throw new InvalidInputError('this DevFlow has no DEVFLOW_STRIPE_WEBHOOK_SECRET, so it cannot verify Stripe deliveries');
  if (!signature) throw new InvalidInputError('the delivery has no Stripe-Signature header');
  try {
    return deps.stripe.webhooks.constructEvent(body ?? Buffer.alloc(0), signature, secret, TOLERANCE_SECONDS);
  } catch (err) {
    throw new InvalidInputError(`the delivery does not verify against the webhook signing secret: ${(err as Error).message}`);
  }
}

/** The subscription an event is about, fetched for a completed Checkout (its event carries only the id). */
async function subscriptionOf(deps: WebhookDeps, event: Stripe.Event): Promise<Stripe.Subscription | undefined> {
  if (event.type.startsWith('customer.subscription.')) return event.data.object as Stripe.Subscription;
  if (event.type !== 'checkout.session.completed') return undefined;
  const session = event.data.object as Stripe.Checkout.Session;
  if (session.mode !== 'subscription' || typeof session.subscription !== 'string') return undefined;
  const id = session.subscription;
  return callStripe('read the subscription of a completed Checkout', () => deps.stripe.subscriptions.retrieve(id));
}

export async function receiveStripeWebhook(deps: WebhookDeps, body: Buffer | undefined, signature: string | undefined): Promise<WebhookOutcome> {
  const event = verifiedEvent(deps, body, signature);
  const subscription = await subscriptionOf(deps, event);
  const result = await deps.sql.begin(async (tx) => {
    const fresh = await tx`INSERT INTO billing_stripe_events (event_id, type) VALUES (${event.id}, ${event.type}) ON CONFLICT DO NOTHING RETURNING event_id`;
    if (fresh.length === 0) return 'duplicate';
    if (!subscription) return `ignored: DevFlow does not act on ${event.type}`;
    return applySubscription(tx as unknown as Sql, deps.settings, subscription, new Date(event.created * 1000));
  });
  return { received: true, result };
}

async function applySubscription(tx: Sql, settings: StripeSettings, sub: Stripe.Subscription, eventCreated: Date): Promise<string> {
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  const [team] = await tx<Array<{ team_id: number }>>`SELECT team_id FROM billing_customers WHERE stripe_customer_id = ${customer}`;
  if (!team) return `ignored: customer ${customer} is no team's`;
  const plan = planOfPrices(settings.prices, sub.items.data.map((i) => i.price.id)) ?? sub.metadata?.devflow_plan;
  if (!plan) return `ignored: subscription ${sub.id} has no price of DEVFLOW_STRIPE_PRICES`;
  const [kept] = await tx<Array<{ stripe_subscription_id: string; plan: string; status: string; grace_until: Date | null; event_created: Date }>>`
    SELECT stripe_subscription_id, plan, status, grace_until, event_created FROM billing_subscriptions WHERE team_id = ${team.team_id} FOR UPDATE`;
  if (kept && !supersedes(kept.event_created, eventCreated)) return 'ignored: an event newer than this one set the state';
  if (kept && kept.stripe_subscription_id !== sub.id && standingOf(kept.status) === 'active' && standingOf(sub.status) !== 'active') {
    return `ignored: the team pays with another subscription (${kept.stripe_subscription_id})`;
  }
  const [clock] = await tx<Array<{ now: Date }>>`SELECT now()`;
  const grace = graceUntil(kept && { plan: kept.plan, status: kept.status, graceUntil: kept.grace_until }, sub.status, clock!.now, settings.graceMs);
  const periodEnd = sub.items.data[0]?.current_period_end;
  await tx`INSERT INTO billing_subscriptions (team_id, stripe_subscription_id, plan, status, current_period_end, grace_until, event_created, updated_at)
    VALUES (${team.team_id}, ${sub.id}, ${plan}, ${sub.status}, ${periodEnd ? new Date(periodEnd * 1000) : null}, ${grace}, ${eventCreated}, now())
    ON CONFLICT (team_id) DO UPDATE SET stripe_subscription_id = EXCLUDED.stripe_subscription_id, plan = EXCLUDED.plan, status = EXCLUDED.status,
      current_period_end = EXCLUDED.current_period_end, grace_until = EXCLUDED.grace_until, event_created = EXCLUDED.event_created, updated_at = now()`;
  return `applied: ${plan} ${sub.status}`;
}
