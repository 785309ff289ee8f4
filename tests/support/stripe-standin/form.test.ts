import { describe, expect, it } from 'vitest';
import { parseForm, splitKey } from './form.js';

describe('Stripe form encoding', () => {
  it.each([
    ['email', ['email']],
    ['metadata[team]', ['metadata', 'team']],
    ['line_items[0][price]', ['line_items', '0', 'price']],
    ['expand[]', ['expand', '']],
  ])('splits %s', (key, parts) => {
    expect(splitKey(key)).toEqual(parts);
  });

  it.each([
    ['email=a%40b.co&name=A+B', { email: 'a@b.co', name: 'A B' }],
    ['metadata[team]=acme&metadata[id]=7', { metadata: { team: 'acme', id: '7' } }],
    ['line_items[0][price]=price_1&line_items[0][quantity]=1&line_items[1][price]=price_2',
      { line_items: [{ price: 'price_1', quantity: '1' }, { price: 'price_2' }] }],
    ['expand[]=customer&expand[]=subscription', { expand: ['customer', 'subscription'] }],
    ['expand[0]=customer', { expand: ['customer'] }],
    ['subscription_data[metadata][team]=acme', { subscription_data: { metadata: { team: 'acme' } } }],
    ['metadata[team]=', { metadata: { team: '' } }],
    ['', {}],
  ])('parses %s', (body, form) => {
    expect(parseForm(body)).toEqual(form);
  });
});
