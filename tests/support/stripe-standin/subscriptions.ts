/**
 * Subscriptions (API reference, "Subscriptions"): create, retrieve, list, update, cancel, and the
 * status changes Stripe makes on its own (a failed renewal → past_due; the end → canceled),
 * each announced by `customer.subscription.updated` or `.deleted`. Billing periods sit on the
 * items (`items.data[].current_period_end`), as in the API versions the stripe package speaks.
 */
import { listOf, mergeMetadata, newId, nowSeconds, type Account, type StripeObject } from './account.js';
import { changed, liveCustomer } from './customers.js';
import { invalidParam, missingParam, noSuch } from './errors.js';
import type { FormValue } from './form.js';
import { booleanOf, checkParams, integer, optionalString, requiredString, type Route, type RouteContext } from './route.js';

export type SubscriptionStatus = 'incomplete' | 'trialing' | 'active' | 'past_due' | 'unpaid' | 'canceled' | 'paused';

const MONTH = 30 * 24 * 3600;

export interface ItemRequest {
  price: string;
  quantity?: number;
}

/** Items as `items[n][price]` / `line_items[n][price]` name them; each price must exist and recur. */
export function itemRequests(account: Account, value: FormValue | undefined, param: string): ItemRequest[] {
  if (!Array.isArray(value) || value.length === 0) throw missingParam(param);
  return value.map((item, n) => {
    if (typeof item !== 'object' || Array.isArray(item) || typeof item.price !== 'string') throw missingParam(`${param}[${n}][price]`);
    const price = account.find(item.price, 'price');
    if (!price) throw noSuch('price', item.price, `${param}[${n}][price]`);
    return { price: item.price, quantity: integer(item.quantity, `${param}[${n}][quantity]`) ?? 1 };
  });
}

export function newSubscription(account: Account, customer: string, items: ItemRequest[], metadata: Record<string, string>): StripeObject {
  const now = nowSeconds();
  const id = newId('sub_');
  const data = items.map((item) => ({
    id: newId('si_'), object: 'subscription_item', created: now, subscription: id, quantity: item.quantity ?? 1,
    price: account.find(item.price, 'price'), current_period_start: now, current_period_end: now + MONTH, metadata: {},
  }));
  return account.put({
    id, object: 'subscription', customer, status: 'active', created: now, start_date: now, livemode: false, metadata,
    items: { object: 'list', data, has_more: false, url: `/v1/subscription_items?subscription=${id}` },
    cancel_at_period_end: false, cancel_at: null, canceled_at: null, ended_at: null, collection_method: 'charge_automatically',
    currency: (data[0]?.price as StripeObject | undefined)?.currency ?? 'usd', latest_invoice: null, trial_end: null, trial_start: null,
  });
}

/** Moves a subscription to `status` as Stripe would on its own, and announces it. */
export function setSubscriptionStatus(account: Account, sub: StripeObject, status: SubscriptionStatus, emit: RouteContext['emit']): StripeObject {
  const before = structuredClone(sub);
  sub.status = status;
  if (status === 'canceled') {
    Object.assign(sub, { canceled_at: nowSeconds(), ended_at: nowSeconds() });
    emit('customer.subscription.deleted', sub);
  } else {
    emit('customer.subscription.updated', sub, changed(before, sub));
  }
  return sub;
}

function subscriptionOf(ctx: RouteContext): StripeObject {
  const sub = ctx.account.find(ctx.match[1]!, 'subscription');
  if (!sub) throw noSuch('subscription', ctx.match[1]!);
  return sub;
}

const UPDATABLE = ['cancel_at_period_end', 'metadata', 'items', 'proration_behavior', 'description', 'default_payment_method'];

export const subscriptionRoutes: Route[] = [
  { method: 'POST', path: /^\/v1\/subscriptions$/, params: ['customer', 'items', 'metadata', 'description', 'collection_method', 'default_payment_method', 'payment_behavior', 'trial_period_days'],
    handle(ctx) {
      const customer = liveCustomer(ctx, requiredString(ctx.params, 'customer'), 'customer');
      const sub = newSubscription(ctx.account, customer.id!, itemRequests(ctx.account, ctx.params.items, 'items'), mergeMetadata({}, ctx.params.metadata));
      ctx.emit('customer.subscription.created', sub);
      return sub;
    } },
  { method: 'GET', path: /^\/v1\/subscriptions$/, params: ['customer', 'status', 'price', 'limit', 'starting_after', 'ending_before'], handle(ctx) {
    const customer = optionalString(ctx.params, 'customer');
    const status = optionalString(ctx.params, 'status') ?? 'not-canceled';
    const data = ctx.account.all('subscription').filter((s) => (customer === null || s.customer === customer)
      && (status === 'all' || (status === 'not-canceled' ? s.status !== 'canceled' : s.status === status))).reverse();
    return listOf(data, '/v1/subscriptions', ctx.params);
  } },
  { method: 'GET', path: /^\/v1\/subscriptions\/([^/]+)$/, params: [], handle: subscriptionOf },
  { method: 'POST', path: /^\/v1\/subscriptions\/([^/]+)$/, params: UPDATABLE, handle(ctx) {
    const sub = subscriptionOf(ctx);
    if (sub.status === 'canceled') throw invalidParam('', 'A canceled subscription can only update its cancellation_details and metadata.');
    const before = structuredClone(sub);
    checkParams(ctx.params, UPDATABLE);
    const cancelAtEnd = booleanOf(ctx.params, 'cancel_at_period_end');
    if (cancelAtEnd !== undefined) sub.cancel_at_period_end = cancelAtEnd;
    sub.metadata = mergeMetadata(sub.metadata as Record<string, string>, ctx.params.metadata);
    if (ctx.params.items !== undefined) replacePrices(ctx, sub);
    ctx.emit('customer.subscription.updated', sub, changed(before, sub));
    return sub;
  } },
  { method: 'DELETE', path: /^\/v1\/subscriptions\/([^/]+)$/, params: ['invoice_now', 'prorate', 'cancellation_details'], handle(ctx) {
    const sub = subscriptionOf(ctx);
    if (sub.status === 'canceled') throw invalidParam('', `No such subscription: '${sub.id}' is already canceled`, 'resource_missing');
    return setSubscriptionStatus(ctx.account, sub, 'canceled', ctx.emit);
  } },
];

/** `items[n][id]` + `items[n][price]`: a plan change keeps the item and swaps its price. */
function replacePrices(ctx: RouteContext, sub: StripeObject): void {
  const list = (sub.items as { data: Array<Record<string, unknown>> }).data;
  const updates = Array.isArray(ctx.params.items) ? ctx.params.items : [];
  updates.forEach((update, n) => {
    if (typeof update !== 'object' || Array.isArray(update)) throw invalidParam(`items[${n}]`, 'Invalid object');
    const item = list.find((i) => i.id === update.id);
    if (!item) throw noSuch('subscription item', String(update.id), `items[${n}][id]`);
    if (typeof update.price === 'string') {
      const price = ctx.account.find(update.price, 'price');
      if (!price) throw noSuch('price', update.price, `items[${n}][price]`);
      item.price = price;
    }
    const quantity = integer(update.quantity, `items[${n}][quantity]`);
    if (quantity !== undefined) item.quantity = quantity;
  });
}
