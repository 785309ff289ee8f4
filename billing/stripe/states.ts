/**
 * A team's subscription as Stripe's webhooks tell it (Stripe docs, "Subscription statuses"),
 * reduced to what DevFlow acts on: whether it pays, and the plan the team is treated as on. A
 * subscription that stops paying (past_due, unpaid, canceled…) keeps its plan for a grace period,
 * then the team counts as on the free plan: quotas refuse new work, nothing running is touched.
 * Pure; the webhook handler and the quota check call these.
 */
export type Standing = 'active' | 'past_due' | 'canceled';

const STANDING: Record<string, Standing> = {
  active: 'active', trialing: 'active',
  past_due: 'past_due', unpaid: 'past_due', incomplete: 'past_due', paused: 'past_due',
  canceled: 'canceled', incomplete_expired: 'canceled',
};

/** Stripe's status as DevFlow's three states; a status Stripe adds later counts as not paying. */
export function standingOf(status: string): Standing {
  return STANDING[status] ?? 'past_due';
}

export interface KeptSubscription {
  plan: string;
  status: string;
  graceUntil: Date | null;
}

/**
 * When the plan stops holding after this status: never while it pays; otherwise the grace
 * period from now, or the deadline already running (a past_due that turns canceled does not
 * get a second grace period).
 */
export function graceUntil(kept: KeptSubscription | undefined, status: string, now: Date, graceMs: number): Date | null {
  if (standingOf(status) === 'active') return null;
  if (kept && standingOf(kept.status) !== 'active' && kept.graceUntil) return kept.graceUntil;
  return new Date(now.getTime() + graceMs);
}

/** Whether an event of `eventCreated` may replace the state kept from an event of `keptCreated` (deliveries come in any order). */
export function supersedes(keptCreated: Date | undefined, eventCreated: Date): boolean {
  return keptCreated === undefined || eventCreated.getTime() >= keptCreated.getTime();
}

export interface EffectivePlan {
  /** The plan's name, or undefined: no plan, no quotas. */
  plan: string | undefined;
  /** Set when a subscription's grace period is over and the team is on the free plan because of it. */
  lapsed?: { plan: string; status: string };
}

/** A subscription decides over an operator's assignment (team_plans) once the team has one. */
export function effectivePlan(assigned: string | undefined, sub: KeptSubscription | undefined, now: Date): EffectivePlan {
  if (!sub) return { plan: assigned };
  if (standingOf(sub.status) === 'active' || (sub.graceUntil && now < sub.graceUntil)) return { plan: sub.plan };
  return { plan: 'free', lapsed: { plan: sub.plan, status: sub.status } };
}

/** The plan a subscription pays for: its first item's price, as DEVFLOW_STRIPE_PRICES names it. */
export function planOfPrices(prices: Record<string, string>, priceIds: string[]): string | undefined {
  return Object.entries(prices).find(([, id]) => priceIds.includes(id))?.[0];
}
