/**
 * Webhook endpoints and events (API reference, "Webhook Endpoints", "Events"). Creating an
 * endpoint returns its signing `secret` (`whsec_…`) once, as Stripe does; events are kept and
 * can be listed or retrieved like Stripe's.
 */
import { listOf, newId, nowSeconds, type StripeObject, type WebhookEndpointRecord } from './account.js';
import { invalidParam, missingParam, noSuch } from './errors.js';
import { optionalString, requiredString, type Route, type RouteContext } from './route.js';

function enabledEvents(ctx: RouteContext): string[] {
  const value = ctx.params.enabled_events;
  if (value === undefined) throw missingParam('enabled_events');
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParam('enabled_events', 'Invalid array');
  return value as string[];
}

function view(endpoint: WebhookEndpointRecord, withSecret: boolean): StripeObject {
  return { id: endpoint.id, object: 'webhook_endpoint', url: endpoint.url, enabled_events: endpoint.enabled_events, status: 'enabled',
    livemode: false, api_version: null, metadata: {}, ...(withSecret ? { secret: endpoint.secret } : {}) };
}

function endpointOf(ctx: RouteContext): WebhookEndpointRecord {
  const endpoint = ctx.account.webhookEndpoints.find((e) => e.id === ctx.match[1]);
  if (!endpoint) throw noSuch('webhook endpoint', ctx.match[1]!);
  return endpoint;
}

export const endpointRoutes: Route[] = [
  { method: 'POST', path: /^\/v1\/webhook_endpoints$/, params: ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'connect'], handle(ctx) {
    const url = requiredString(ctx.params, 'url');
    if (!/^https?:\/\//.test(url)) throw invalidParam('url', 'Invalid URL: must be an http or https URL.');
    const endpoint = { id: newId('we_'), url, secret: newId('whsec_'), enabled_events: enabledEvents(ctx) };
    ctx.account.webhookEndpoints.push(endpoint);
    return view(endpoint, true);
  } },
  { method: 'GET', path: /^\/v1\/webhook_endpoints$/, params: ['limit', 'starting_after', 'ending_before'],
    handle: (ctx) => listOf(ctx.account.webhookEndpoints.map((e) => view(e, false)), '/v1/webhook_endpoints', ctx.params) },
  { method: 'GET', path: /^\/v1\/webhook_endpoints\/([^/]+)$/, params: [], handle: (ctx) => view(endpointOf(ctx), false) },
  { method: 'POST', path: /^\/v1\/webhook_endpoints\/([^/]+)$/, params: ['url', 'enabled_events', 'description', 'metadata', 'disabled'], handle(ctx) {
    const endpoint = endpointOf(ctx);
    endpoint.url = optionalString(ctx.params, 'url') ?? endpoint.url;
    if (ctx.params.enabled_events !== undefined) endpoint.enabled_events = enabledEvents(ctx);
    return view(endpoint, false);
  } },
  { method: 'DELETE', path: /^\/v1\/webhook_endpoints\/([^/]+)$/, params: [], handle(ctx) {
    const endpoint = endpointOf(ctx);
    ctx.account.webhookEndpoints.splice(ctx.account.webhookEndpoints.indexOf(endpoint), 1);
    return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
  } },
  { method: 'GET', path: /^\/v1\/events$/, params: ['type', 'types', 'created', 'limit', 'starting_after', 'ending_before'], handle(ctx) {
    const type = optionalString(ctx.params, 'type');
    const data = ctx.account.all('event').filter((e) => type === null || e.type === type).reverse();
    return listOf(data, '/v1/events', ctx.params);
  } },
  { method: 'GET', path: /^\/v1\/events\/([^/]+)$/, params: [], handle(ctx) {
    const event = ctx.account.find(ctx.match[1]!, 'event');
    if (!event) throw noSuch('event', ctx.match[1]!);
    return event;
  } },
];

export function newEvent(type: string, object: StripeObject, previous: Record<string, unknown> | undefined, apiVersion: string): StripeObject {
  return {
    id: newId('evt_'), object: 'event', type, api_version: apiVersion, created: nowSeconds(), livemode: false, pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    data: previous ? { object: structuredClone(object), previous_attributes: previous } : { object: structuredClone(object) },
  };
}
