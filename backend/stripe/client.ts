/**
 * The `stripe` package, made per app with that app's secret key. `api` points it elsewhere
 * than api.stripe.com (the package's host/port/protocol options): tests use it for the local
 * Stripe stand-in, since Stripe's API cannot be reached from the machines they run on.
 */
import type Stripe from 'stripe';

export interface StripeApi {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

export type StripeClient = Stripe;

/** `retries`: 0 where DevFlow retries itself (the outbox), else the package's one retry. */
export async function stripeClient(secretKey: string, api: StripeApi | undefined, retries = 1): Promise<Stripe> {
  const { default: StripeClass } = await import('stripe');
  return new StripeClass(secretKey, { maxNetworkRetries: retries, timeout: 15_000, ...(api ?? {}), appInfo: { name: 'DevFlow' } });
}

/** Stripe's error type, when `err` is one of the package's errors. */
export function stripeErrorType(err: unknown): string | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('Stripe') ? type : undefined;
}
