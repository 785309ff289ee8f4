/**
 * stripe, stripe:connect, stripe:disconnect: Stripe for an app's own users (issue 20,
 * backend/stripe/). The secrets go to the API once and are shown back masked only. Flags put
 * them in the shell's history; STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are read when the
 * flags are left out.
 */
import type { StripeConnectionView } from '../../backend/index.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

const path = (app: string) => `/apps/${encodeURIComponent(app)}/stripe`;

export function formatStripe(view: StripeConnectionView): string {
  if (!view.connected) return `${view.app} has not connected Stripe: devflow stripe:connect ${view.app} --secret-key sk_… --webhook-secret whsec_…`;
  return [
    `=== ${view.app} Stripe (${view.livemode ? 'live mode' : 'test mode'})`,
    `Secret key:     ${view.secretKey}`,
    `Webhook secret: ${view.webhookSecret}`,
    `Webhook URL:    ${view.webhookUrl}`,
    `Connected:      ${view.connectedAt}`,
  ].join('\n');
}

export async function showStripe({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const view = await createClient(process.env).request<StripeConnectionView>('GET', path(app));
  print(opts, view, () => formatStripe(view));
}

export async function connectStripe({ app, opts }: CommandInput<OutputOptions & { secretKey?: string; webhookSecret?: string }>): Promise<void> {
  const secretKey = opts.secretKey ?? process.env.STRIPE_SECRET_KEY;
  const webhookSecret = opts.webhookSecret ?? process.env.STRIPE_WEBHOOK_SECRET;
  if (!secretKey || !webhookSecret) {
    throw new CliError('give --secret-key sk_… and --webhook-secret whsec_… (or set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET)', 'usage');
  }
  const view = await createClient(process.env).request<StripeConnectionView>('PUT', path(app), { secretKey, webhookSecret });
  print(opts, view, () => `${formatStripe(view)}\nIn Stripe's dashboard, send the webhook endpoint's events to ${view.webhookUrl}`);
}

export async function disconnectStripe({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const view = await createClient(process.env).request<StripeConnectionView>('DELETE', path(app));
  print(opts, view, () => `${view.app}: Stripe disconnected (its keys are forgotten; the stripe schema's tables stay)`);
}
