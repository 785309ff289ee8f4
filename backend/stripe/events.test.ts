import { describe, expect, it } from 'vitest';
import { planObjectUpsert, type StripeEventLike } from './events.js';

const USER = '2b8f1c3e-5d6a-4f7b-8c9d-0e1f2a3b4c5d';
const event = (type: string, object: Record<string, unknown>): StripeEventLike => ({ id: 'evt_1', type, created: 1_700_000_000, livemode: false, data: { object } });

describe('planObjectUpsert', () => {
  it.each([
    ['customer.created', { object: 'customer', id: 'cus_1', email: 'a@example.com', metadata: { devflow_user_id: USER } },
      { table: 'customers', id: 'cus_1', columns: { email: 'a@example.com', user_id: USER, deleted: false } }],
    ['customer.deleted', { object: 'customer', id: 'cus_1', email: null, metadata: {} },
      { table: 'customers', id: 'cus_1', columns: { email: null, user_id: null, deleted: true } }],
    ['customer.subscription.updated', {
      object: 'subscription', id: 'sub_1', customer: 'cus_1', status: 'past_due', cancel_at_period_end: true,
      items: { data: [{ price: { id: 'price_1' }, current_period_end: 1_700_086_400 }] },
    }, { table: 'subscriptions', id: 'sub_1', columns: {
      customer: 'cus_1', status: 'past_due', price: 'price_1', current_period_end: '2023-11-15T22:13:20.000Z', cancel_at_period_end: true } }],
    ['customer.subscription.deleted', { object: 'subscription', id: 'sub_2', customer: { id: 'cus_2' }, status: 'canceled', current_period_end: 1_700_000_000, items: { data: [] } },
      { table: 'subscriptions', id: 'sub_2', columns: { customer: 'cus_2', status: 'canceled', price: null, current_period_end: '2023-11-14T22:13:20.000Z', cancel_at_period_end: null } }],
    ['invoice.paid', { object: 'invoice', id: 'in_1', customer: 'cus_1', status: 'paid', amount_due: 900, amount_paid: 900, currency: 'eur',
      parent: { subscription_details: { subscription: 'sub_1' } } },
    { table: 'invoices', id: 'in_1', columns: { customer: 'cus_1', status: 'paid', amount_due: 900, amount_paid: 900, currency: 'eur', subscription: 'sub_1' } }],
    ['price.deleted', { object: 'price', id: 'price_1', product: 'prod_1', active: true, currency: 'usd', unit_amount: 500, recurring: { interval: 'month' } },
      { table: 'prices', id: 'price_1', columns: { product: 'prod_1', active: false, currency: 'usd', unit_amount: 500, recurring_interval: 'month', deleted: true } }],
  ])('%s', (type, object, expected) => {
    expect(planObjectUpsert(event(type, object))).toEqual(expected);
  });

  it.each([
    ['checkout.session.completed', { object: 'checkout.session', id: 'cs_1' }],
    ['payment_intent.succeeded', { object: 'payment_intent', id: 'pi_1' }],
    ['customer.created', { object: 'customer' }],
  ])('keeps %s as an event only', (type, object) => {
    expect(planObjectUpsert(event(type, object))).toBeUndefined();
  });

  it('ignores a user id in metadata that is not a UUID', () => {
    expect(planObjectUpsert(event('customer.updated', { object: 'customer', id: 'cus_9', metadata: { devflow_user_id: "x' OR 1=1" } }))?.columns.user_id).toBeNull();
  });
});
