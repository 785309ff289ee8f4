/**
 * Billing meters and meter events (API reference, "Meters", "Meter Events", "Meter Event
 * Summaries"). A meter event names its meter by `event_name` and carries the customer and the
 * value in `payload` under the meter's keys (`stripe_customer_id` and `value` by default). An
 * `identifier` already seen is refused with 400 and `Stripe-Should-Retry: false`, as Stripe
 * does within its rolling 24-hour window; that is what lets a sender retry without counting twice.
 */
import { listOf, newId, nowSeconds, type StripeObject } from './account.js';
import { invalidParam, missingParam, noSuch, StripeApiError } from './errors.js';
import { hashOf, integer, optionalString, requiredString, type Route, type RouteContext } from './route.js';

const DAY = 24 * 3600;

function createMeter(ctx: RouteContext): StripeObject {
  const { params, account } = ctx;
  const eventName = requiredString(params, 'event_name');
  const aggregation = hashOf(params, 'default_aggregation');
  if (!aggregation.formula) throw missingParam('default_aggregation[formula]');
  if (!['sum', 'count', 'last'].includes(String(aggregation.formula))) throw invalidParam('default_aggregation[formula]', 'Invalid default_aggregation[formula]: must be one of sum, count, last');
  if (account.all('billing.meter').some((m) => m.event_name === eventName && m.status === 'active')) {
    throw invalidParam('event_name', `An active meter with event_name "${eventName}" already exists.`);
  }
  const mapping = hashOf(params, 'customer_mapping');
  const value = hashOf(params, 'value_settings');
  const now = nowSeconds();
  return account.put({
    id: newId('mtr_'), object: 'billing.meter', created: now, updated: now, livemode: false, status: 'active',
    display_name: requiredString(params, 'display_name'), event_name: eventName, event_time_window: optionalString(params, 'event_time_window'),
    default_aggregation: { formula: aggregation.formula },
    customer_mapping: { type: 'by_id', event_payload_key: typeof mapping.event_payload_key === 'string' ? mapping.event_payload_key : 'stripe_customer_id' },
    value_settings: { event_payload_key: typeof value.event_payload_key === 'string' ? value.event_payload_key : 'value' },
    status_transitions: { deactivated_at: null },
  });
}

function createMeterEvent(ctx: RouteContext): StripeObject {
  const { params, account } = ctx;
  const eventName = requiredString(params, 'event_name');
  const payload = hashOf(params, 'payload');
  if (Object.keys(payload).length === 0) throw missingParam('payload');
  const meter = account.all('billing.meter').find((m) => m.event_name === eventName && m.status === 'active');
  const customerKey = (meter?.customer_mapping as { event_payload_key: string } | undefined)?.event_payload_key ?? 'stripe_customer_id';
  const valueKey = (meter?.value_settings as { event_payload_key: string } | undefined)?.event_payload_key ?? 'value';
  const customer = payload[customerKey];
  if (typeof customer !== 'string' || customer === '') throw missingParam(`payload[${customerKey}]`);
  const value = payload[valueKey] ?? '1';
  if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) throw invalidParam(`payload[${valueKey}]`, `Invalid numeric value: ${String(value)}`);
  const now = nowSeconds();
  const timestamp = integer(params.timestamp, 'timestamp') ?? now;
  if (timestamp < now - 35 * DAY || timestamp > now + 300) {
    throw invalidParam('timestamp', 'The timestamp must be within the past 35 calendar days or up to 5 minutes in the future.');
  }
  const identifier = optionalString(params, 'identifier') ?? newId('');
  if (account.meterEvents.some((e) => e.identifier === identifier && e.timestamp > now - DAY)) {
    throw new StripeApiError(400, 'invalid_request_error', `An event already exists with identifier ${identifier}.`, undefined, 'identifier', false);
  }
  account.meterEvents.push({ event_name: eventName, identifier, customer, value: Number(value), timestamp: now });
  return { object: 'billing.meter_event', created: now, event_name: eventName, identifier, livemode: false, payload, timestamp };
}

function meterOf(ctx: RouteContext): StripeObject {
  const meter = ctx.account.find(ctx.match[1]!, 'billing.meter');
  if (!meter) throw noSuch('billing.meter', ctx.match[1]!);
  return meter;
}

/** One summary over [start_time, end_time) of a customer's events (the stand-in does not split by window). */
function eventSummaries(ctx: RouteContext): StripeObject {
  const meter = meterOf(ctx);
  const customer = requiredString(ctx.params, 'customer');
  const start = integer(ctx.params.start_time, 'start_time');
  const end = integer(ctx.params.end_time, 'end_time');
  if (start === undefined) throw missingParam('start_time');
  if (end === undefined) throw missingParam('end_time');
  const events = ctx.account.meterEvents.filter((e) => e.event_name === meter.event_name && e.customer === customer && e.timestamp >= start && e.timestamp < end);
  const formula = (meter.default_aggregation as { formula: string }).formula;
  const aggregated = formula === 'count' ? events.length : formula === 'last' ? (events.at(-1)?.value ?? 0) : events.reduce((s, e) => s + e.value, 0);
  const summary = { id: newId('mtrusg_'), object: 'billing.meter_event_summary', aggregated_value: aggregated, start_time: start, end_time: end, livemode: false, meter: meter.id };
  return listOf([summary], `/v1/billing/meters/${meter.id}/event_summaries`, ctx.params);
}

export const meterRoutes: Route[] = [
  { method: 'POST', path: /^\/v1\/billing\/meters$/, params: ['display_name', 'event_name', 'default_aggregation', 'customer_mapping', 'value_settings', 'event_time_window'], handle: createMeter },
  { method: 'GET', path: /^\/v1\/billing\/meters$/, params: ['status', 'limit', 'starting_after', 'ending_before'], handle(ctx) {
    const status = optionalString(ctx.params, 'status');
    const data = ctx.account.all('billing.meter').filter((m) => status === null || m.status === status);
    return listOf(data, '/v1/billing/meters', ctx.params);
  } },
  { method: 'GET', path: /^\/v1\/billing\/meters\/([^/]+)$/, params: [], handle: meterOf },
  { method: 'GET', path: /^\/v1\/billing\/meters\/([^/]+)\/event_summaries$/, params: ['customer', 'start_time', 'end_time', 'value_grouping_window', 'limit', 'starting_after', 'ending_before'], handle: eventSummaries },
  { method: 'POST', path: /^\/v1\/billing\/meter_events$/, params: ['event_name', 'payload', 'identifier', 'timestamp'], handle: createMeterEvent },
];

