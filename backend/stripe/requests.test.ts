import { describe, expect, it } from 'vitest';
import { parseCheckoutRequest, parsePortalRequest } from './requests.js';

const USER = '2B8F1C3E-5D6A-4F7B-8C9D-0E1F2A3B4C5D';

describe('parseCheckoutRequest', () => {
  it('fills quantity 1 and subscription mode, lower-cases a user id', () => {
    expect(parseCheckoutRequest({ price: 'price_123', successUrl: 'https://shop.example/ok', cancelUrl: 'http://localhost:3000/', userId: USER }))
      .toEqual({ price: 'price_123', quantity: 1, mode: 'subscription', successUrl: 'https://shop.example/ok', cancelUrl: 'http://localhost:3000/', userId: USER.toLowerCase() });
  });

  it.each([
    [null, 'JSON object'],
    [{ successUrl: 'https://a/', cancelUrl: 'https://a/' }, 'price must be'],
    [{ price: 'price_1', quantity: 0, successUrl: 'https://a/', cancelUrl: 'https://a/' }, 'quantity'],
    [{ price: 'price_1', mode: 'setup', successUrl: 'https://a/', cancelUrl: 'https://a/' }, 'mode'],
    [{ price: 'price_1', successUrl: 'javascript:alert(1)', cancelUrl: 'https://a/' }, 'successUrl'],
    [{ price: 'price_1', successUrl: 'https://a/', cancelUrl: 'https://a/', userId: 'bob' }, 'userId'],
    [{ price: 'price_1', successUrl: 'https://a/', cancelUrl: 'https://a/', customer: 'cus_1' }, 'unknown field "customer"'],
  ])('refuses %j', (body, message) => {
    expect(() => parseCheckoutRequest(body)).toThrow(message);
  });
});

describe('parsePortalRequest', () => {
  it('takes a return URL', () => {
    expect(parsePortalRequest({ returnUrl: 'https://shop.example/account' })).toEqual({ returnUrl: 'https://shop.example/account' });
  });

  it.each([[{}, 'returnUrl'], [{ returnUrl: 'ftp://x/' }, 'returnUrl'], [[], 'JSON object']])('refuses %j', (body, message) => {
    expect(() => parsePortalRequest(body)).toThrow(message);
  });
});
