/**
 * One Stripe customer per Auth user of an app (issue 20). The outbox rows in
 * `stripe.user_customers` (schema-sql.ts) are written by triggers on `auth.users`; this module
 * carries out what a row asks for:
 *
 * - create: `POST /v1/customers` with the Idempotency-Key `devflow-user-<user id>`, so a retry
 *   after a crash between Stripe's answer and our commit gets the same customer back instead of
 *   a second one; the customer id is then kept with the user, and a row in stripe.customers
 *   appears at once (webhooks update it later).
 * - delete: the customer is deleted at Stripe (already gone counts as done) and marked deleted
 *   here. A user deleted while the create's answer was lost: the create is replayed with the
 *   same key to learn the customer's id, then it is deleted.
 */
import type { Sql } from '../../core/store/database.js';
import type { StripeClient } from './client.js';
import { stripeErrorType } from './client.js';

export interface OutboxRow {
  user_id: string;
  email: string | null;
  customer_id: string | null;
  pending: 'create' | 'delete' | null;
  attempts: number;
  create_sent: boolean;
}

export const idempotencyKey = (userId: string) => `devflow-user-${userId}`;

/** Sends the create (or replays it) and returns the customer's id. */
async function createAtStripe(stripe: StripeClient, row: Pick<OutboxRow, 'user_id' | 'email'>): Promise<{ id: string; object: unknown }> {
  const customer = await stripe.customers.create(
    { ...(row.email ? { email: row.email } : {}), metadata: { devflow_user_id: row.user_id } },
    { idempotencyKey: idempotencyKey(row.user_id) },
  );
  return { id: customer.id, object: customer };
}

/** Keeps the link, and the customer's row, unless a webhook already wrote a newer one. */
async function recordCreated(db: Sql, userId: string, customer: { id: string; object: unknown }, email: string | null): Promise<void> {
  await db.begin(async (tx) => {
    await tx`
      UPDATE stripe.user_customers SET customer_id = ${customer.id}, last_error = NULL,
        pending = CASE WHEN pending = 'create' THEN NULL ELSE pending END,
        attempts = CASE WHEN pending = 'create' THEN 0 ELSE attempts END
      WHERE user_id = ${userId}`;
    await tx`
      INSERT INTO stripe.customers (id, user_id, email, data)
      VALUES (${customer.id}, ${userId}, ${email}, ${tx.json(customer.object as never)})
      ON CONFLICT (id) DO UPDATE SET user_id = COALESCE(stripe.customers.user_id, EXCLUDED.user_id)`;
  });
}

/** The customer of a user, made now if the outbox has not yet (Checkout cannot wait for it). */
export async function ensureCustomer(db: Sql, stripe: StripeClient, userId: string): Promise<string | undefined> {
  const [row] = await db<OutboxRow[]>`
    SELECT u.id AS user_id, u.email, c.customer_id FROM auth.users u
    LEFT JOIN stripe.user_customers c ON c.user_id = u.id
    WHERE u.id = ${userId} AND u.deleted_at IS NULL`;
  if (!row) return undefined;
  if (row.customer_id) return row.customer_id;
  await db`
    INSERT INTO stripe.user_customers (user_id, email, pending, create_sent) VALUES (${userId}, ${row.email}, 'create', true)
    ON CONFLICT (user_id) DO UPDATE SET create_sent = true`;
  const customer = await createAtStripe(stripe, row);
  await recordCreated(db, userId, customer, row.email);
  return customer.id;
}

async function deleteAtStripe(db: Sql, stripe: StripeClient, row: OutboxRow): Promise<void> {
  const customerId = row.customer_id ?? (row.create_sent ? (await createAtStripe(stripe, row)).id : null);
  if (customerId !== null) {
    try {
      await stripe.customers.del(customerId);
    } catch (err) {
      if (!(stripeErrorType(err) === 'StripeInvalidRequestError' && (err as { statusCode?: number }).statusCode === 404)) throw err;
    }
  }
  await db.begin(async (tx) => {
    await tx`UPDATE stripe.user_customers SET pending = NULL, attempts = 0, last_error = NULL, customer_id = ${customerId}
      WHERE user_id = ${row.user_id}`;
    if (customerId !== null) await tx`UPDATE stripe.customers SET deleted = true, updated_at = now() WHERE id = ${customerId}`;
  });
}

/** Carries out one claimed row; throws what Stripe (or the network) answered when it failed. */
export async function syncCustomer(db: Sql, stripe: StripeClient, row: OutboxRow): Promise<void> {
  if (row.pending === 'create') {
    await db`UPDATE stripe.user_customers SET create_sent = true WHERE user_id = ${row.user_id}`;
    await recordCreated(db, row.user_id, await createAtStripe(stripe, row), row.email);
  } else if (row.pending === 'delete') {
    await deleteAtStripe(db, stripe, row);
  }
}
