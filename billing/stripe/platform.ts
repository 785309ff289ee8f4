/**
 * Stripe for the platform (issue 20), as the API and boot use it: one object made from the
 * DEVFLOW_STRIPE_* settings with the team's links, its billing state, the webhook, and the loop
 * that reports usage. Without a secret key there is no such object, and the routes say so.
 */
import type Stripe from 'stripe';
import { errorMessage } from '../../core/errors.js';
import { runPeriodically, type Periodic } from '../../core/periodic.js';
import type { StripeSettings } from '../../core/settings.js';
import type { Sql } from '../../core/store/database.js';
import { stripeClient } from './client.js';
import { storedCustomer, type TeamRef } from './customers.js';
import { fillMeterOutbox, sendMeterOutbox, type MeterEventNames } from './meter-outbox.js';
import { checkoutLink, portalLink } from './sessions.js';
import { receiveStripeWebhook, type WebhookOutcome } from './webhook.js';

export interface TeamBilling {
  team: string;
  /** Whether the team has a Stripe customer yet (made at its first Checkout or portal link). */
  customer: boolean;
  subscription: null | {
    id: string;
    plan: string;
    status: string;
    currentPeriodEnd: string | null;
    /** When a subscription that does not pay stops holding its plan; null while it pays. */
    graceUntil: string | null;
  };
}

export interface PlatformBilling {
  checkout(team: TeamRef, plan: string, returnUrl: string): Promise<{ url: string; sessionId: string }>;
  portal(team: TeamRef, returnUrl: string): Promise<{ url: string }>;
  status(team: TeamRef): Promise<TeamBilling>;
  receiveWebhook(body: Buffer | undefined, signature: string | undefined): Promise<WebhookOutcome>;
}

export function platformBilling(sql: Sql, settings: StripeSettings, stripe: Stripe = stripeClient(settings)): PlatformBilling {
  const deps = { sql, stripe, settings };
  return {
    checkout: (team, plan, returnUrl) => checkoutLink(deps, team, plan, returnUrl),
    portal: (team, returnUrl) => portalLink(deps, team, returnUrl),
    status: (team) => teamBilling(sql, team),
    receiveWebhook: (body, signature) => receiveStripeWebhook(deps, body, signature),
  };
}

async function teamBilling(sql: Sql, team: TeamRef): Promise<TeamBilling> {
  const [sub] = await sql<Array<{ stripe_subscription_id: string; plan: string; status: string; current_period_end: Date | null; grace_until: Date | null }>>`
    SELECT stripe_subscription_id, plan, status, current_period_end, grace_until FROM billing_subscriptions WHERE team_id = ${team.id}`;
  return {
    team: team.name,
    customer: (await storedCustomer(sql, team.id)) !== undefined,
    subscription: sub ? {
      id: sub.stripe_subscription_id, plan: sub.plan, status: sub.status,
      currentPeriodEnd: sub.current_period_end?.toISOString() ?? null, graceUntil: sub.grace_until?.toISOString() ?? null,
    } : null,
  };
}

const REPORT_MS = 60_000;

/** Once a minute: the outbox filled from the ledger, then sent until nothing is due. */
export function startStripeMeterReporting(deps: { sql: Sql; settings: StripeSettings; log(line: string): void; stripe?: Stripe; intervalMs?: number }): Periodic {
  const stripe = deps.stripe ?? stripeClient(deps.settings);
  const report = async () => {
    try {
      await reportUsageOnce(deps.sql, stripe, meterEventNames(deps.settings), deps.log);
    } catch (err) {
      deps.log(`billing: could not report usage to Stripe: ${errorMessage(err)}`);
    }
  };
  return runPeriodically(report, deps.intervalMs ?? REPORT_MS);
}

const BATCH = 100;

export function meterEventNames(settings: Pick<StripeSettings, 'meterEvent' | 'buildMeterEvent' | 'egressMeterEvent'>): MeterEventNames {
  return { instanceSeconds: settings.meterEvent, buildSeconds: settings.buildMeterEvent, egressBytes: settings.egressMeterEvent };
}

/** One pass: fill, then send batches while whole batches go out. */
export async function reportUsageOnce(sql: Sql, stripe: Stripe, events: MeterEventNames, log: (line: string) => void): Promise<{ sent: number }> {
  await fillMeterOutbox(sql, events);
  let sent = 0;
  for (;;) {
    const outcome = await sendMeterOutbox(sql, stripe, { batch: BATCH, log });
    sent += outcome.sent;
    if (outcome.sent + outcome.failed < BATCH || outcome.sent === 0) return { sent };
  }
}
