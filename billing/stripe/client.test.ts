import { describe, expect, it } from 'vitest';
import { isStripeError, maskSecret } from './client.js';

describe('masked Stripe secrets', () => {
  it.each([
    ['sk_test_51AbCdEfGhIjKlMnOp1234', 'sk_test_…1234'],
    ['sk_live_51AbCdEfGhIjKlMnOp9876', 'sk_live_…9876'],
    ['whsec_abcdefghijklmnop4321', 'whs…4321'],
  ])('%s shows as %s', (secret, masked) => {
    expect(maskSecret(secret)).toBe(masked);
    expect(maskSecret(secret)).not.toContain(secret.slice(8, -4));
  });
});

describe('Stripe errors, from either build of the package', () => {
  it('are told from other errors by their class', async () => {
    const { createRequire } = await import('node:module');
    const cjs = createRequire(import.meta.url)('stripe') as typeof import('stripe').default;
    const esm = (await import('stripe')).default;
    for (const errors of [cjs.errors, esm.errors]) {
      expect(isStripeError(new errors.StripeCardError({ message: 'declined' }))).toBe(true);
      expect(isStripeError(new errors.StripeAuthenticationError({ message: 'bad key' }))).toBe(true);
    }
    expect(isStripeError(new Error('StripeError'))).toBe(false);
    expect(isStripeError(Object.assign(new Error('x'), { type: 'StripeCardError' }))).toBe(false);
    expect(isStripeError({ type: 'StripeCardError' })).toBe(false);
  });
});
