/**
 * One Stripe account's objects, in memory: the stand-in keeps one per secret key (a platform's
 * key, or an app's own key), so two keys never see each other's customers or events.
 */
import { randomBytes } from 'node:crypto';
import type { Form } from './form.js';

export type StripeObject = Record<string, unknown> & { id?: string; object: string };

export interface MeterEventRecord {
  event_name: string;
  identifier: string;
  customer: string;
  value: number;
  timestamp: number;
}

export interface WebhookEndpointRecord {
  id: string;
  url: string;
  secret: string;
  enabled_events: string[];
}

export interface IdempotentReply {
  fingerprint: string;
  status: number;
  body: unknown;
}

export class Account {
  readonly id = newId('acct_');
  /** Every object by id: customers, checkout sessions, subscriptions, prices, meters, events… */
  readonly objects = new Map<string, StripeObject>();
  readonly meterEvents: MeterEventRecord[] = [];
  readonly webhookEndpoints: WebhookEndpointRecord[] = [];
  readonly idempotency = new Map<string, IdempotentReply>();

  constructor(readonly secretKey: string) {}

  put<T extends StripeObject>(object: T): T {
    this.objects.set(object.id!, object);
    return object;
  }

  /** Objects of one `object` type, oldest first. */
  all(type: string): StripeObject[] {
    return [...this.objects.values()].filter((o) => o.object === type);
  }

  find(id: string, type: string): StripeObject | undefined {
    const object = this.objects.get(id);
    return object?.object === type ? object : undefined;
  }

  /** Sum of meter event values for an event name and customer (what a `sum` meter reports). */
  meterTotal(eventName: string, customer: string): number {
    return this.meterEvents.filter((e) => e.event_name === eventName && e.customer === customer).reduce((s, e) => s + e.value, 0);
  }
}

export function newId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + [...randomBytes(24)].map((b) => alphabet[b % alphabet.length]).join('');
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A Stripe list object (API reference, "Pagination"): `limit` (default 10), `starting_after`. */
export function listOf(data: StripeObject[], url: string, params: Form): StripeObject {
  const limit = Math.min(100, Math.max(1, Number(params.limit ?? 10)));
  const after = typeof params.starting_after === 'string' ? data.findIndex((o) => o.id === params.starting_after) + 1 : 0;
  const page = data.slice(after, after + limit);
  return { object: 'list', data: page, has_more: after + limit < data.length, url };
}

/** Metadata update rules: a key set to '' is removed; values are kept as strings. */
export function mergeMetadata(old: Record<string, string>, update: unknown): Record<string, string> {
  if (update === '' ) return {};
  if (typeof update !== 'object' || update === null) return old;
  const merged = { ...old };
  for (const [k, v] of Object.entries(update as Record<string, unknown>)) {
    if (v === '') delete merged[k];
    else merged[k] = String(v);
  }
  return merged;
}
