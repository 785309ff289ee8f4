/**
 * Checkout Sessions and customer-portal sessions (API reference, "Checkout Sessions",
 * "Customer Portal Sessions"), and the prices they sell ("Prices", "Products"). A session's
 * `url` is a page of the stand-in; posting to it (or `completeCheckout`) is the customer paying:
 * the session completes, a subscription is made, and the events follow.
 */
import { listOf, mergeMetadata, newId, nowSeconds, type Account, type StripeObject } from './account.js';
import { liveCustomer } from './customers.js';
import { invalidParam, noSuch, StripeApiError } from './errors.js';
import { integer, oneOf, optionalString, requiredString, hashOf, type Route, type RouteContext } from './route.js';
import { itemRequests, newSubscription } from './subscriptions.js';

const SESSION_PARAMS = ['mode', 'customer', 'customer_email', 'client_reference_id', 'line_items', 'success_url', 'cancel_url',
  'return_url', 'ui_mode', 'metadata', 'subscription_data', 'allow_promotion_codes', 'billing_address_collection', 'expires_at',
  'locale', 'payment_method_types', 'customer_update', 'automatic_tax', 'tax_id_collection'];

function createSession(ctx: RouteContext): StripeObject {
  const { params, account } = ctx;
  const mode = oneOf(params, 'mode', ['payment', 'setup', 'subscription'] as const);
  const customerId = optionalString(params, 'customer');
  const email = optionalString(params, 'customer_email');
  if (customerId && email) {
    throw new StripeApiError(400, 'invalid_request_error', 'You may only specify one of these parameters: customer, customer_email.', 'parameters_exclusive', 'customer');
  }
  if (customerId) liveCustomer(ctx, customerId, 'customer');
  const items = mode === 'setup' ? [] : itemRequests(account, params.line_items, 'line_items');
  if (mode === 'subscription' && !items.some((i) => account.find(i.price, 'price')?.recurring)) {
    throw invalidParam('line_items', 'You must provide at least one recurring price in `subscription` mode when using prices.');
  }
  const id = newId('cs_test_');
  const now = nowSeconds();
  const subscriptionData = hashOf(params, 'subscription_data');
  return account.put({
    id, object: 'checkout.session', mode, status: 'open', payment_status: 'unpaid', livemode: false, created: now,
    expires_at: integer(params.expires_at, 'expires_at') ?? now + 24 * 3600, url: `${ctx.base}/c/pay/${id}`,
    customer: customerId, customer_email: email, client_reference_id: optionalString(params, 'client_reference_id'),
    success_url: optionalString(params, 'success_url'), cancel_url: optionalString(params, 'cancel_url'),
    metadata: mergeMetadata({}, params.metadata), subscription: null, invoice: null, payment_intent: null,
    currency: 'usd', amount_total: items.reduce((s, i) => s + Number(account.find(i.price, 'price')!.unit_amount ?? 0) * (i.quantity ?? 1), 0),
    // Kept for completion, not part of Stripe's session object (line items are a separate list there).
    _items: items, _subscription_metadata: mergeMetadata({}, subscriptionData.metadata),
  });
}

/** What Stripe shows of a session: without the stand-in's private fields. */
export function publicView(object: StripeObject): StripeObject {
  return Object.fromEntries(Object.entries(object).filter(([k]) => !k.startsWith('_'))) as StripeObject;
}

/** The customer pays: the session completes; in subscription mode a subscription starts. */
export function completeCheckout(account: Account, id: string, emit: RouteContext['emit']): StripeObject {
  const session = account.find(id, 'checkout.session');
  if (!session) throw noSuch('checkout.session', id);
  if (session.status !== 'open') throw invalidParam('', `This Checkout Session is ${String(session.status)}, not open.`);
  if (!session.customer) {
    const customer = account.put({ id: newId('cus_'), object: 'customer', created: nowSeconds(), livemode: false, email: session.customer_email,
      name: null, description: null, phone: null, metadata: {}, balance: 0, currency: null, delinquent: false, invoice_settings: { default_payment_method: null } });
    emit('customer.created', customer);
    session.customer = customer.id;
  }
  Object.assign(session, { status: 'complete', payment_status: session.mode === 'setup' ? 'no_payment_required' : 'paid' });
  if (session.mode === 'subscription') {
    const sub = newSubscription(account, session.customer as string, session._items as never, session._subscription_metadata as Record<string, string>);
    session.subscription = sub.id;
    emit('customer.subscription.created', sub);
  }
  emit('checkout.session.completed', publicView(session));
  return publicView(session);
}

function sessionOf(ctx: RouteContext): StripeObject {
  const session = ctx.account.find(ctx.match[1]!, 'checkout.session');
  if (!session) throw noSuch('checkout.session', ctx.match[1]!);
  return session;
}

function createPortalSession(ctx: RouteContext): StripeObject {
  const customer = liveCustomer(ctx, requiredString(ctx.params, 'customer'), 'customer');
  const id = newId('bps_');
  return ctx.account.put({
    id, object: 'billing_portal.session', customer: customer.id, created: nowSeconds(), livemode: false,
    return_url: optionalString(ctx.params, 'return_url'), configuration: optionalString(ctx.params, 'configuration') ?? 'bpc_standin_default',
    flow: null, locale: optionalString(ctx.params, 'locale'), on_behalf_of: null, url: `${ctx.base}/p/session/${id}`,
  });
}

function createPrice(ctx: RouteContext): StripeObject {
  const { params, account } = ctx;
  const currency = requiredString(params, 'currency');
  let product = optionalString(params, 'product');
  if (product && !account.find(product, 'product')) throw noSuch('product', product, 'product');
  if (!product) {
    const data = hashOf(params, 'product_data');
    if (typeof data.name !== 'string') throw invalidParam('product_data[name]', 'Missing required param: product or product_data[name].', 'parameter_missing');
    product = account.put({ id: newId('prod_'), object: 'product', name: data.name, active: true, created: nowSeconds(), livemode: false, metadata: {} }).id!;
  }
  const recurring = hashOf(params, 'recurring');
  return account.put({
    id: newId('price_'), object: 'price', active: true, currency, product, created: nowSeconds(), livemode: false,
    unit_amount: integer(params.unit_amount, 'unit_amount') ?? null, lookup_key: optionalString(params, 'lookup_key'),
    nickname: optionalString(params, 'nickname'), metadata: mergeMetadata({}, params.metadata),
    type: Object.keys(recurring).length > 0 ? 'recurring' : 'one_time',
    recurring: Object.keys(recurring).length > 0
      ? { interval: recurring.interval ?? 'month', interval_count: 1, usage_type: recurring.usage_type ?? 'licensed', meter: recurring.meter ?? null }
      : null,
  });
}

export const checkoutRoutes: Route[] = [
  { method: 'POST', path: /^\/v1\/checkout\/sessions$/, params: SESSION_PARAMS, handle: (ctx) => publicView(createSession(ctx)) },
  { method: 'GET', path: /^\/v1\/checkout\/sessions$/, params: ['customer', 'subscription', 'status', 'limit', 'starting_after', 'ending_before'], handle(ctx) {
    const filters = ['customer', 'subscription', 'status'].map((f) => [f, optionalString(ctx.params, f)] as const).filter(([, v]) => v !== null);
    const data = ctx.account.all('checkout.session').filter((s) => filters.every(([f, v]) => s[f] === v)).reverse().map(publicView);
    return listOf(data, '/v1/checkout/sessions', ctx.params);
  } },
  { method: 'GET', path: /^\/v1\/checkout\/sessions\/([^/]+)$/, params: [], handle: (ctx) => publicView(sessionOf(ctx)) },
  { method: 'POST', path: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/, params: [], handle(ctx) {
    const session = sessionOf(ctx);
    if (session.status !== 'open') throw invalidParam('', `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`);
    session.status = 'expired';
    ctx.emit('checkout.session.expired', publicView(session));
    return publicView(session);
  } },
  { method: 'POST', path: /^\/v1\/billing_portal\/sessions$/, params: ['customer', 'return_url', 'configuration', 'flow_data', 'locale', 'on_behalf_of'], handle: createPortalSession },
  { method: 'POST', path: /^\/v1\/prices$/, params: ['currency', 'unit_amount', 'recurring', 'product', 'product_data', 'lookup_key', 'nickname', 'metadata', 'active'], handle: createPrice },
  { method: 'GET', path: /^\/v1\/prices\/([^/]+)$/, params: [], handle(ctx) {
    const price = ctx.account.find(ctx.match[1]!, 'price');
    if (!price) throw noSuch('price', ctx.match[1]!);
    return price;
  } },
  { method: 'POST', path: /^\/v1\/products$/, params: ['name', 'description', 'metadata', 'active'], handle(ctx) {
    return ctx.account.put({ id: newId('prod_'), object: 'product', name: requiredString(ctx.params, 'name'), active: true,
      created: nowSeconds(), livemode: false, description: optionalString(ctx.params, 'description'), metadata: mergeMetadata({}, ctx.params.metadata) });
  } },
];
