/**
 * Issue 20, Stripe for the platform (billing/stripe/): the Stripe customer of each team, the
 * state of its subscription as webhooks told it, the ids of the events already applied (each is
 * applied once), and the outbox of meter events (instance-seconds per team and hour) with the
 * identifier Stripe de-duplicates on, so a resend after a crash never counts twice.
 */
import type { Migration } from './migration.js';

export const m067: Migration = {
  version: 67,
  name: 'billing stripe',
  sql: `
      CREATE TABLE billing_customers (
        team_id integer PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
        stripe_customer_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Usage up to here is in the meter outbox (hours are whole: it is always on an hour).
        metered_until timestamptz NOT NULL DEFAULT date_trunc('hour', now())
      );
      CREATE TABLE billing_subscriptions (
        team_id integer PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
        stripe_subscription_id text NOT NULL,
        plan text NOT NULL,
        status text NOT NULL,
        current_period_end timestamptz,
        -- When a status that does not pay (past_due, canceled…) stops counting: the plan holds until then.
        grace_until timestamptz,
        -- Stripe's event time of the state kept: an older event that arrives late changes nothing.
        event_created timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE billing_stripe_events (
        event_id text PRIMARY KEY,
        type text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE billing_meter_outbox (
        id bigserial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        stripe_customer_id text NOT NULL,
        event_name text NOT NULL,
        period_start timestamptz NOT NULL,
        value bigint NOT NULL,
        identifier text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        sent_at timestamptz,
        UNIQUE (team_id, event_name, period_start)
      );
      CREATE INDEX billing_meter_outbox_unsent ON billing_meter_outbox (next_attempt_at) WHERE sent_at IS NULL;
    `,
};
