import { describe, expect, it } from 'vitest';
import { formatStripe } from './stripe.js';

const base = { app: 'shop', webhookUrl: 'https://shop--api.example.com/stripe/v1/webhook' };

describe('formatStripe', () => {
  it('shows a connection with its masked secrets and the webhook URL', () => {
    const text = formatStripe({ ...base, connected: true, secretKey: 'sk_test_…abcd', webhookSecret: 'whsec_…wxyz', livemode: false, connectedAt: '2026-12-05T18:00:00.000Z' });
    expect(text).toContain('=== shop Stripe (test mode)');
    expect(text).toContain('sk_test_…abcd');
    expect(text).toContain('https://shop--api.example.com/stripe/v1/webhook');
  });

  it('says how to connect when the app has not', () => {
    expect(formatStripe({ ...base, connected: false, secretKey: null, webhookSecret: null, livemode: null, connectedAt: null }))
      .toBe('shop has not connected Stripe: devflow stripe:connect shop --secret-key sk_… --webhook-secret whsec_…');
  });
});
