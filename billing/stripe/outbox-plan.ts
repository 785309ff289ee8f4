/**
 * The meter outbox's two rules, pure: the identifier a row is sent with (Stripe de-duplicates
 * meter events on it, so a resend after a crash is refused, not counted), and when a failed row
 * is tried again (exponential backoff, capped at an hour).
 */
const FIRST_RETRY_MS = 5_000;
const LAST_RETRY_MS = 3_600_000;

/** One per customer, meter and hour: the same usage always gets the same identifier (at most 100 characters). */
export function meterIdentifier(customer: string, eventName: string, periodStart: Date): string {
  return `${customer}:${eventName}:${Math.floor(periodStart.getTime() / 1000)}`.slice(0, 100);
}

/** Delay before the next try of a row that failed `attempts` times (1 → 5 s, 2 → 10 s, … ≤ 1 h). */
export function retryDelayMs(attempts: number): number {
  return Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/** Stripe's answer to an identifier it already has: the event was counted before, the row is done. */
export function isDuplicateMeterEvent(err: unknown): boolean {
  const e = err as { statusCode?: number; message?: string };
  return e.statusCode === 400 && /already exists with identifier/i.test(e.message ?? '');
}
