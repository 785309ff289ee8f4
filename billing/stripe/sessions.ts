/**
 * The two links a team's admin follows (Stripe docs, "Checkout Sessions", "Customer portal"):
 * Checkout for a plan's subscription, and the customer portal to change or cancel it. Neither
 * changes the team: its plan follows the subscription's webhooks.
 */
import type Stripe from 'stripe';
import { ConflictError, InvalidInputError } from '../../core/errors.js';
import type { StripeSettings } from '../../core/settings.js';
import type { Sql } from '../../core/store/database.js';
import { findPlan, PLANS } from '../plans.js';
import { callStripe } from './client.js';
import { teamCustomer, type TeamRef } from './customers.js';
import { standingOf } from './states.js';

export interface SessionDeps {
  sql: Sql;
  stripe: Stripe;
  settings: StripeSettings;
}

function priceOf(settings: StripeSettings, planName: string): string {
  const plan = findPlan(planName);
  if (!plan) throw new InvalidInputError(`plan "${planName}" is unknown: use one of ${PLANS.filter((p) => p.priceCents > 0).map((p) => p.name).join(', ')}`);
  if (plan.priceCents === 0) throw new InvalidInputError(`the ${plan.name} plan needs no subscription`);
  const price = settings.prices[plan.name];
  if (!price) throw new InvalidInputError(`the ${plan.name} plan has no Stripe price on this DevFlow: the operator sets DEVFLOW_STRIPE_PRICES (${plan.name}=price_…)`);
  return price;
}

export async function checkoutLink(deps: SessionDeps, team: TeamRef, planName: string, returnUrl: string): Promise<{ url: string; sessionId: string }> {
  const price = priceOf(deps.settings, planName);
  const [sub] = await deps.sql<Array<{ plan: string; status: string }>>`SELECT plan, status FROM billing_subscriptions WHERE team_id = ${team.id}`;
  if (sub && standingOf(sub.status) !== 'canceled') {
    throw new ConflictError(`team "${team.name}" already has a ${sub.plan} subscription (${sub.status}): change or cancel it in the portal, devflow billing:portal --team ${team.name}`);
  }
  const customer = await teamCustomer(deps.sql, deps.stripe, team);
  const session = await callStripe('open a Checkout session', () => deps.stripe.checkout.sessions.create({
    mode: 'subscription', customer, line_items: [{ price, quantity: 1 }], client_reference_id: String(team.id),
    success_url: `${returnUrl}?billing=subscribed`, cancel_url: `${returnUrl}?billing=canceled`,
    metadata: { devflow_team: team.name, devflow_plan: planName },
    subscription_data: { metadata: { devflow_team: team.name, devflow_plan: planName } },
  }));
  return { url: session.url!, sessionId: session.id };
}

export async function portalLink(deps: SessionDeps, team: TeamRef, returnUrl: string): Promise<{ url: string }> {
  const customer = await teamCustomer(deps.sql, deps.stripe, team);
  const session = await callStripe('open a portal session', () => deps.stripe.billingPortal.sessions.create({ customer, return_url: returnUrl }));
  return { url: session.url };
}
