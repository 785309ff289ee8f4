/**
 * Stripe for an app's own users (issue 20, backend/stripe/): PUT connects the app's Stripe
 * account (the key is checked with Stripe first), GET shows the connection with both secrets
 * masked (sk_test_…abcd, so it needs only the read scope), DELETE disconnects it.
 */
import type express from 'express';
import { DevflowError, InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerStripeRoutes(v1: express.Router, deps: ApiDeps): void {
  const stripe = () => {
    if (!deps.backend) throw new DevflowError('runtime_unavailable', 'the app backend is not available on this DevFlow');
    return deps.backend.stripe;
  };
  v1.get('/apps/:app/stripe', route(async (req, res) => {
    res.json(await stripe().describe(parseAppName(req.params.app)));
  }));
  v1.put('/apps/:app/stripe', route(async (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null) throw new InvalidInputError('send {"secretKey": "sk_…", "webhookSecret": "whsec_…"}');
    const { secretKey, webhookSecret } = body as Record<string, unknown>;
    res.json(await stripe().connect(parseAppName(req.params.app), { secretKey, webhookSecret }));
  }));
  v1.delete('/apps/:app/stripe', route(async (req, res) => {
    res.json(await stripe().disconnect(parseAppName(req.params.app)));
  }));
}
