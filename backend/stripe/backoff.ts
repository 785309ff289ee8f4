/**
 * When the outbox tries a failed Stripe call again: exponential from 5 seconds, doubling per
 * attempt, at most an hour apart, so an outage of Stripe (or of the network) costs a few calls
 * an hour per waiting user, and a short blip is healed within seconds.
 */
const FIRST_MS = 5_000;
const MAX_MS = 60 * 60_000;

/** The delay after the `attempts`-th failure (1 = the first). */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_MS, FIRST_MS * 2 ** Math.max(0, attempts - 1));
}
