/**
 * Which row a Stripe event writes in the app's `stripe` schema: a pure mapping from the
 * event (Stripe API reference, "Events" and the objects customer, subscription, invoice,
 * price) to an upsert, tested with a table of events beside it. Events of other types are
 * kept in `stripe.events` only.
 */

/** The part of a Stripe event this mapping reads (the `stripe` package's Event has more). */
export interface StripeEventLike {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  data: { object: Record<string, unknown> };
}

export type SyncedTable = 'customers' | 'subscriptions' | 'invoices' | 'prices';

export interface ObjectUpsert {
  table: SyncedTable;
  id: string;
  /** Columns beside `data` (the whole object) and `last_event_at` (the event's time). */
  columns: Record<string, string | number | boolean | null>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
/** An expandable field is an id or the expanded object; either way, its id. */
const idOf = (v: unknown): string | null => str(v) ?? str((v as { id?: unknown } | null)?.id);
const time = (seconds: number | null): string | null => (seconds === null ? null : new Date(seconds * 1000).toISOString());

/** A subscription's first item: its price, and its period (moved from the subscription to items in API 2025-03-31). */
function firstItem(sub: Record<string, unknown>): Record<string, unknown> {
  const items = (sub.items as { data?: unknown[] } | undefined)?.data;
  return (items?.[0] as Record<string, unknown> | undefined) ?? {};
}

const PLANS: Record<string, (o: Record<string, unknown>, type: string) => ObjectUpsert['columns']> = {
  customer: (o, type) => ({
    email: str(o.email),
    user_id: uuidOrNull((o.metadata as Record<string, unknown> | undefined)?.devflow_user_id),
    deleted: type === 'customer.deleted' || o.deleted === true,
  }),
  subscription: (o) => {
    const item = firstItem(o);
    return {
      customer: idOf(o.customer), status: str(o.status), price: idOf(item.price),
      current_period_end: time(num(o.current_period_end) ?? num(item.current_period_end)),
      cancel_at_period_end: bool(o.cancel_at_period_end),
    };
  },
  invoice: (o) => ({
    customer: idOf(o.customer), status: str(o.status), amount_due: num(o.amount_due), amount_paid: num(o.amount_paid),
    currency: str(o.currency),
    subscription: idOf(o.subscription) ?? idOf((o.parent as { subscription_details?: { subscription?: unknown } } | undefined)?.subscription_details?.subscription),
  }),
  price: (o, type) => ({
    product: idOf(o.product), active: type === 'price.deleted' ? false : bool(o.active), currency: str(o.currency),
    unit_amount: num(o.unit_amount), recurring_interval: str((o.recurring as { interval?: unknown } | null)?.interval),
    deleted: type === 'price.deleted',
  }),
};

const TABLES: Record<string, SyncedTable> = { customer: 'customers', subscription: 'subscriptions', invoice: 'invoices', price: 'prices' };

/** The upsert an event makes, from its object's kind (`object` field); undefined: kept as an event only. */
export function planObjectUpsert(event: StripeEventLike): ObjectUpsert | undefined {
  const object = event.data.object;
  const kind = str(object.object);
  const id = str(object.id);
  if (kind === null || id === null) return undefined;
  const plan = PLANS[kind];
  const table = TABLES[kind];
  if (!plan || !table) return undefined;
  return { table, id, columns: plan(object, event.type) };
}

function uuidOrNull(v: unknown): string | null {
  return typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? v.toLowerCase() : null;
}
