/**
 * Customers (API reference, "Customers"): create, retrieve, update, delete, list, search.
 * A deleted customer is retrieved as `{ id, object: 'customer', deleted: true }`, as Stripe does.
 */
import { listOf, mergeMetadata, newId, nowSeconds, type StripeObject } from './account.js';
import { invalidParam, noSuch } from './errors.js';
import { checkParams, optionalString, type Route, type RouteContext } from './route.js';
import { matchesQuery, parseSearchQuery } from './search-query.js';

const WRITABLE = ['email', 'name', 'description', 'phone', 'metadata', 'address', 'preferred_locales'] as const;

export function liveCustomer(ctx: RouteContext, id: string, param?: string): StripeObject {
  const customer = ctx.account.find(id, 'customer');
  if (!customer || customer.deleted) throw noSuch('customer', id, param);
  return customer;
}

function write(customer: StripeObject, ctx: RouteContext): StripeObject {
  checkParams(ctx.params, WRITABLE);
  for (const field of ['email', 'name', 'description', 'phone'] as const) {
    if (field in ctx.params) customer[field] = optionalString(ctx.params, field);
  }
  customer.metadata = mergeMetadata((customer.metadata ?? {}) as Record<string, string>, ctx.params.metadata);
  return customer;
}

export const customerRoutes: Route[] = [
  { method: 'POST', path: /^\/v1\/customers$/, params: WRITABLE, handle(ctx) {
    const customer = write({ id: newId('cus_'), object: 'customer', created: nowSeconds(), livemode: false,
      email: null, name: null, description: null, phone: null, metadata: {}, balance: 0, currency: null, delinquent: false,
      invoice_settings: { default_payment_method: null } }, ctx);
    ctx.account.put(customer);
    ctx.emit('customer.created', customer);
    return customer;
  } },
  { method: 'GET', path: /^\/v1\/customers\/search$/, params: ['query', 'limit', 'page'], handle(ctx) {
    const text = typeof ctx.params.query === 'string' ? ctx.params.query : '';
    const query = parseSearchQuery(text, ['email', 'name', 'phone', 'created']);
    if (typeof query === 'string') throw invalidParam('query', `Invalid search query: ${query}`);
    const data = ctx.account.all('customer').filter((c) => !c.deleted && matchesQuery(c, query));
    return { object: 'search_result', data, has_more: false, next_page: null, url: '/v1/customers/search' };
  } },
  { method: 'GET', path: /^\/v1\/customers$/, params: ['email', 'limit', 'starting_after', 'ending_before', 'created'], handle(ctx) {
    const email = optionalString(ctx.params, 'email');
    const data = ctx.account.all('customer').filter((c) => !c.deleted && (email === null || c.email === email)).reverse();
    return listOf(data, '/v1/customers', ctx.params);
  } },
  { method: 'GET', path: /^\/v1\/customers\/([^/]+)$/, params: [], handle(ctx) {
    const customer = ctx.account.find(ctx.match[1]!, 'customer');
    if (!customer) throw noSuch('customer', ctx.match[1]!);
    return customer.deleted ? { id: customer.id, object: 'customer', deleted: true } : customer;
  } },
  { method: 'POST', path: /^\/v1\/customers\/([^/]+)$/, params: WRITABLE, handle(ctx) {
    const customer = liveCustomer(ctx, ctx.match[1]!);
    const before = structuredClone(customer);
    write(customer, ctx);
    ctx.emit('customer.updated', customer, changed(before, customer));
    return customer;
  } },
  { method: 'DELETE', path: /^\/v1\/customers\/([^/]+)$/, params: [], handle(ctx) {
    const customer = liveCustomer(ctx, ctx.match[1]!);
    customer.deleted = true;
    for (const sub of ctx.account.all('subscription')) {
      if (sub.customer === customer.id && sub.status !== 'canceled') {
        Object.assign(sub, { status: 'canceled', canceled_at: nowSeconds(), ended_at: nowSeconds() });
        ctx.emit('customer.subscription.deleted', sub);
      }
    }
    const { deleted: _, ...snapshot } = customer;
    ctx.emit('customer.deleted', snapshot as StripeObject);
    return { id: customer.id, object: 'customer', deleted: true };
  } },
];

/** `previous_attributes` of an `*.updated` event: the old values of the fields that changed. */
export function changed(before: StripeObject, after: StripeObject): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key] ?? null;
  }
  return previous;
}
