import { describe, expect, it } from 'vitest';
import { maskSecret } from './client.js';

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
