import { describe, expect, it } from 'vitest';
import { maskSecret, parseStripeCredentials, scrubSecrets } from './keys.js';

const SK = 'sk_test_51AbCdEfGhIjKlMnOp1234';
const WH = 'whsec_0123456789abcdefWXYZ';

describe('parseStripeCredentials', () => {
  it('takes a secret key and a signing secret, live mode from the prefix', () => {
    expect(parseStripeCredentials({ secretKey: SK, webhookSecret: WH })).toEqual({ secretKey: SK, webhookSecret: WH, livemode: false });
    expect(parseStripeCredentials({ secretKey: 'rk_live_abcdefgh12', webhookSecret: WH }).livemode).toBe(true);
  });

  it.each([
    [{ secretKey: 'pk_test_abcdefgh1234', webhookSecret: WH }, 'publishable key'],
    [{ secretKey: 'sk_prod_abcdefgh1234', webhookSecret: WH }, 'secretKey must be'],
    [{ webhookSecret: WH }, 'secretKey must be'],
    [{ secretKey: SK, webhookSecret: 'secret' }, 'whsec_'],
    [{ secretKey: SK }, 'whsec_'],
  ])('refuses %j', (input, message) => {
    expect(() => parseStripeCredentials(input)).toThrow(message);
  });
});

describe('maskSecret and scrubSecrets', () => {
  it.each([
    [SK, 'sk_test_…1234'],
    ['rk_live_abcdefghWXYZ', 'rk_live_…WXYZ'],
    [WH, 'whsec_…WXYZ'],
  ])('masks %s as %s', (value, masked) => {
    expect(maskSecret(value)).toBe(masked);
  });

  it('replaces every occurrence of each secret', () => {
    expect(scrubSecrets(`bad key ${SK}; again ${SK}, hook ${WH}`, [SK, WH])).toBe('bad key sk_test_…1234; again sk_test_…1234, hook whsec_…WXYZ');
  });
});
