/**
 * An app's Stripe webhook (Stripe docs, "Check the webhook signatures"): the delivery is
 * verified with that app's own signing secret by the `stripe` package (HMAC-SHA256 of
 * `<timestamp>.<raw body>`, tolerance 5 minutes), so a delivery signed for another app, forged,
 * altered or replayed late is refused before anything is written. A verified event is written
 * once (its id is the key of stripe.events) and, in the same transaction, applied to its object's
 * row (events.ts) unless that row already holds a newer event's state (Stripe does not promise
 * order).
 */
import type { Sql } from '../../core/store/database.js';
import { planObjectUpsert, type ObjectUpsert, type StripeEventLike } from './events.js';

/** Stripe's own default, and the issue's: a delivery older than this is refused as a replay. */
export const TOLERANCE_SECONDS = 300;

export type WebhookOutcome =
  | { ok: true; eventId: string; duplicate: boolean }
  | { ok: false; message: string };

export async function verifyDelivery(payload: Buffer, signature: string | undefined, secret: string): Promise<StripeEventLike | string> {
  if (!signature) return 'no Stripe-Signature header';
  const { default: Stripe } = await import('stripe');
  try {
    return Stripe.webhooks.constructEvent(payload, signature, secret, TOLERANCE_SECONDS) as unknown as StripeEventLike;
  } catch (err) {
    // The package's messages name the cause (no matching signature, timestamp outside the
    // tolerance) and never the secret.
    return `the delivery's signature does not verify: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
}

const COLUMN = /^[a-z_]+$/;

async function applyUpsert(tx: Sql, upsert: ObjectUpsert, data: unknown, eventTime: string): Promise<void> {
  const names = Object.keys(upsert.columns).filter((c) => COLUMN.test(c));
  const values = names.map((c) => upsert.columns[c] ?? null);
  const all = ['id', 'data', 'last_event_at', ...names];
  const placeholders = all.map((_, i) => `$${i + 1}`).join(', ');
  const updates = ['data', 'last_event_at', ...names].map((c) =>
    c === 'user_id' ? 'user_id = COALESCE(EXCLUDED.user_id, t.user_id)' : `${c} = EXCLUDED.${c}`);
  await tx.unsafe(
    `INSERT INTO stripe.${upsert.table} AS t (${all.join(', ')}) VALUES (${placeholders})
     ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}, updated_at = now()
     WHERE t.last_event_at IS NULL OR t.last_event_at <= EXCLUDED.last_event_at`,
    [upsert.id, JSON.stringify(data), eventTime, ...values] as never[],
  );
}

/** Writes a verified event once, and the row it changes; `db` is the app database's owner pool. */
export async function recordEvent(db: Sql, event: StripeEventLike): Promise<{ duplicate: boolean }> {
  const created = new Date(event.created * 1000).toISOString();
  return db.begin(async (tx) => {
    const inserted = await tx`
      INSERT INTO stripe.events (id, type, created, livemode, data)
      VALUES (${event.id}, ${event.type}, ${created}, ${event.livemode}, ${tx.json(event as never)})
      ON CONFLICT (id) DO NOTHING RETURNING id`;
    if (inserted.length === 0) return { duplicate: true };
    const upsert = planObjectUpsert(event);
    if (upsert) await applyUpsert(tx as unknown as Sql, upsert, event.data.object, created);
    return { duplicate: false };
  });
}

export async function receiveWebhook(db: Sql, secret: string, payload: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
  const verified = await verifyDelivery(payload, signature, secret);
  if (typeof verified === 'string') return { ok: false, message: verified };
  if (typeof verified.id !== 'string' || typeof verified.type !== 'string' || typeof verified.data?.object !== 'object') {
    return { ok: false, message: 'the delivery is not a Stripe event' };
  }
  const { duplicate } = await recordEvent(db, verified);
  return { ok: true, eventId: verified.id, duplicate };
}
