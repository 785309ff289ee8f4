/**
 * The app's Stripe credentials as a user types them (`devflow stripe:connect --secret-key
 * --webhook-secret`): checked for their published prefixes (Stripe API reference, "API keys";
 * webhook signing secrets begin `whsec_`), and masked for every place they are shown. The
 * full values only ever exist sealed at rest (store.ts) and in memory while calling Stripe.
 */
import { InvalidInputError } from '../../core/errors.js';

export interface StripeCredentials {
  secretKey: string;
  webhookSecret: string;
  /** From the key's prefix: sk_live_/rk_live_ keys act on live data. */
  livemode: boolean;
}

const SECRET_KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$/;
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=_-]{8,}$/;

export function parseStripeCredentials(input: { secretKey?: unknown; webhookSecret?: unknown }): StripeCredentials {
  const { secretKey, webhookSecret } = input;
  if (typeof secretKey !== 'string' || !SECRET_KEY.test(secretKey)) {
    const hint = typeof secretKey === 'string' && secretKey.startsWith('pk_')
      ? ' (that is a publishable key: DevFlow needs the secret one)' : '';
    throw new InvalidInputError(`secretKey must be a Stripe secret or restricted key, sk_test_…, sk_live_…, rk_test_… or rk_live_…${hint}`);
  }
  if (typeof webhookSecret !== 'string' || !WEBHOOK_SECRET.test(webhookSecret)) {
    throw new InvalidInputError("webhookSecret must be the endpoint's signing secret, whsec_… (Stripe dashboard → Webhooks → the endpoint → Signing secret)");
  }
  return { secretKey, webhookSecret, livemode: secretKey.split('_')[1] === 'live' };
}

/** `sk_test_…abcd`: the kind of key and its last four characters, as Stripe's dashboard shows them. */
export function maskSecret(value: string): string {
  const prefix = /^(sk_test_|sk_live_|rk_test_|rk_live_|whsec_)/.exec(value)?.[1] ?? '';
  return `${prefix}…${value.slice(-4)}`;
}

/** A message with every occurrence of the secrets replaced by their masked forms (errors may quote a key). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join(maskSecret(secret));
  return out;
}
