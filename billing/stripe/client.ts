/**
 * The `stripe` package pointed where DEVFLOW_STRIPE_API_URL says (api.stripe.com, or the tests'
 * stand-in through the package's host/port/protocol options), and the one place Stripe's errors
 * become DevFlow's: a message the user can act on, never the key (Stripe's own messages mask it).
 */
import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import { DevflowError } from '../../core/errors.js';
import type { StripeSettings } from '../../core/settings.js';

const require = createRequire(import.meta.url);

/**
 * Issue 23: the package (about 6 MB of V8 heap, 220 modules) loads at the first client made,
 * i.e. once Stripe is configured and used, not with every `devflow up`. Its CommonJS build,
 * since making a client stays synchronous.
 */
function stripePackage(): typeof Stripe {
  return require('stripe') as typeof Stripe;
}

export function stripeClient(settings: Pick<StripeSettings, 'secretKey' | 'apiUrl'>): Stripe {
  const url = new URL(settings.apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const StripeClass = stripePackage();
  return new StripeClass(settings.secretKey, {
    host: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol,
    maxNetworkRetries: 2, timeout: 20_000, telemetry: false, appInfo: { name: 'DevFlow' },
  });
}

/** `sk_test_…abcd`: enough to tell keys apart, never enough to use one. */
export function maskSecret(secret: string): string {
  const prefix = /^[a-z]+_(test|live)_/.exec(secret)?.[0] ?? secret.slice(0, 3);
  return `${prefix}…${secret.slice(-4)}`;
}

/** Runs a Stripe call; a Stripe error becomes a DevflowError naming what was being done. */
export async function callStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // By its class's name rather than `instanceof`: a client made from the package's ES build (a test's,
    // or the backend's per-app one) throws that build's classes, not the CommonJS build's.
    if (isStripeError(err)) {
      const code = err.statusCode !== undefined && err.statusCode < 500 && err.type !== 'StripeAuthenticationError' ? 'invalid_input' : 'runtime_unavailable';
      throw new DevflowError(code, `Stripe refused to ${what}: ${err.message}`, { cause: err });
    }
    throw new DevflowError('runtime_unavailable', `could not reach Stripe to ${what}: ${(err as Error).message}`);
  }
}

/** One of the package's errors: StripeError or one of its subclasses, from either build. */
export function isStripeError(err: unknown): err is Error & { type: string; statusCode?: number } {
  if (!(err instanceof Error)) return false;
  for (let proto = Object.getPrototypeOf(err) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'StripeError') return true;
  }
  return false;
}
