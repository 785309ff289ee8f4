/**
 * Drains one app's customer outbox (customers.ts says what each row asks for). Rows are
 * claimed by pushing their next attempt two minutes ahead (a lease: another DevFlow replica
 * skips them, and a crash mid-call leaves them to be tried again after it), then carried out one
 * by one; a failure is kept on the row with the next attempt after backoff.ts's delay.
 */
import type { Sql } from '../../core/store/database.js';
import { retryDelayMs } from './backoff.js';
import type { StripeClient } from './client.js';
import { syncCustomer, type OutboxRow } from './customers.js';

const BATCH = 20;
const LEASE = '2 minutes';

export interface DrainResult {
  done: number;
  failed: number;
}

async function claimDue(db: Sql): Promise<OutboxRow[]> {
  return db<OutboxRow[]>`
    UPDATE stripe.user_customers SET next_attempt_at = now() + ${LEASE}::interval
    WHERE user_id IN (
      SELECT user_id FROM stripe.user_customers WHERE pending IS NOT NULL AND next_attempt_at <= now()
      ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
    RETURNING user_id, email, customer_id, pending, attempts, create_sent`;
}

/** `describe` turns an error into a line safe to keep and log (secrets masked). */
export async function drainOutbox(db: Sql, stripe: StripeClient, describe: (err: unknown) => string): Promise<DrainResult> {
  const result: DrainResult = { done: 0, failed: 0 };
  for (const row of await claimDue(db)) {
    try {
      await syncCustomer(db, stripe, row);
      result.done += 1;
    } catch (err) {
      result.failed += 1;
      const delayMs = retryDelayMs(row.attempts + 1);
      await db`
        UPDATE stripe.user_customers SET attempts = attempts + 1, last_error = ${describe(err)},
          next_attempt_at = now() + ${`${delayMs} milliseconds`}::interval
        WHERE user_id = ${row.user_id}`;
    }
  }
  return result;
}
