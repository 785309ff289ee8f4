/**
 * Stripe for the platform (issue 20, billing/stripe/):
 *   GET  /teams/{team}/billing            the team's plan standing and Stripe subscription (read)
 *   POST /teams/{team}/billing/checkout {plan}   a Stripe Checkout link for the plan (the team's admins)
 *   POST /teams/{team}/billing/portal     a Stripe customer-portal link (the team's admins)
 *   POST /billing/stripe/webhook          Stripe's deliveries: no DevFlow token, the Stripe-Signature
 *                                         is the authentication (400 and no change when it does not verify)
 * Without DEVFLOW_STRIPE_SECRET_KEY the Stripe routes answer 409 saying so.
 */
import type express from 'express';
import { teamId } from '../../accounts/index.js';
import { platformBilling, teamPlan, type PlatformBilling } from '../../billing/index.js';
import { publicApiUrl } from '../../core/config.js';
import { ConflictError, InvalidInputError } from '../../core/errors.js';
import type { ApiDeps } from '../deps.js';
import { rawBodyOf } from '../raw-body.js';
import { route } from './handler.js';

export const STRIPE_WEBHOOK_PATH = '/billing/stripe/webhook';

export function registerBillingRoutes(v1: express.Router, deps: ApiDeps): void {
  let billing: PlatformBilling | undefined;
  const stripe = (): PlatformBilling => {
    const settings = deps.config.stripe;
    if (!settings) throw new ConflictError('Stripe is not set up on this DevFlow: the operator sets DEVFLOW_STRIPE_SECRET_KEY (see the README, Settings)');
    return (billing ??= platformBilling(deps.sql, settings));
  };
  const team = async (req: express.Request) => {
    const name = String(req.params.team);
    return { id: await teamId(deps.sql, name), name };
  };
  const returnUrl = (name: string) => `${publicApiUrl(deps.config)}/teams/${encodeURIComponent(name)}/billing`;

  v1.get('/teams/:team/billing', route(async (req, res) => {
    const t = await team(req);
    const plan = await teamPlan(deps.sql, t.id);
    const state = deps.config.stripe ? await stripe().status(t) : { team: t.name, customer: false, subscription: null };
    res.json({ ...state, plan: plan?.name ?? null, stripe: deps.config.stripe !== undefined });
  }));
  v1.post('/teams/:team/billing/checkout', route(async (req, res) => {
    const body = (req.body ?? {}) as { plan?: unknown };
    if (typeof body.plan !== 'string') throw new InvalidInputError('send a JSON body like {"plan": "pro"}');
    const t = await team(req);
    res.status(201).json(await stripe().checkout(t, body.plan, returnUrl(t.name)));
  }));
  v1.post('/teams/:team/billing/portal', route(async (req, res) => {
    const t = await team(req);
    res.status(201).json(await stripe().portal(t, returnUrl(t.name)));
  }));
  v1.post(STRIPE_WEBHOOK_PATH, route(async (req, res) => {
    const signature = req.headers['stripe-signature'];
    res.json(await stripe().receiveWebhook(rawBodyOf(req), typeof signature === 'string' ? signature : undefined));
  }));
}
